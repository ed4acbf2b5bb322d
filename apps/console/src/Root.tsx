/**
 * The root of every page: the sign-in form until a session exists (a console sign-in's cookie,
 * or an API token), then the shell (navigation, sign out) around the page. The URL is kept while
 * signing in, so a pasted deep link opens after.
 */
import { Center, Loader } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Outlet } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { isUnauthorized } from './api/errors.js';
import { SessionContext } from './api/session-context.js';
import {
  clearToken,
  clientFor,
  existingSession,
  loadToken,
  saveToken,
  type Credentials,
} from './api/session.js';
import { Shell } from './Shell.js';
import { SignIn } from './SignIn.js';

const initial = (): Credentials | null | 'checking' => {
  const token = loadToken();
  return token === null ? 'checking' : { kind: 'token', token };
};

export function Root() {
  const [credentials, setCredentials] = useState<Credentials | null | 'checking'>(initial);
  const queryClient = useQueryClient();

  // A session cookie from an earlier sign-in (a reload, a new tab) is used without asking again.
  useEffect(() => {
    if (credentials !== 'checking') return;
    void existingSession().then(setCredentials);
  }, [credentials]);

  const forget = useCallback(() => {
    clearToken();
    queryClient.clear();
    setCredentials(null);
  }, [queryClient]);

  const signOut = useCallback(() => {
    if (credentials !== null && credentials !== 'checking' && credentials.kind === 'cookie') {
      void clientFor(credentials)
        .session.signOut()
        .catch(() => undefined)
        .finally(forget);
    } else forget();
  }, [credentials, forget]);

  // A token revoked or a session ended (a user deleted) while signed in: back to the form.
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type === 'updated' && isUnauthorized(event.query.state.error)) forget();
      }),
    [queryClient, forget],
  );

  const session = useMemo(
    () =>
      credentials === null || credentials === 'checking'
        ? null
        : { credentials, client: clientFor(credentials), signOut },
    [credentials, signOut],
  );

  if (credentials === 'checking') {
    return (
      <Center mih="100vh">
        <Loader size="sm" />
      </Center>
    );
  }
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(accepted) => {
          if (accepted.kind === 'token') saveToken(accepted.token);
          setCredentials(accepted);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell>
        <Outlet />
      </Shell>
    </SessionContext.Provider>
  );
}
