/**
 * The root of every page: the sign-in form until a token is accepted, then the shell (navigation,
 * sign out) around the page. The URL is kept while signing in, so a pasted deep link opens after.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Outlet } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { isUnauthorized } from './api/errors.js';
import { SessionContext } from './api/session-context.js';
import { clearToken, clientFor, loadToken, saveToken } from './api/session.js';
import { Shell } from './Shell.js';
import { SignIn } from './SignIn.js';

export function Root() {
  const [token, setToken] = useState<string | null>(loadToken);
  const queryClient = useQueryClient();

  const signOut = useCallback(() => {
    clearToken();
    queryClient.clear();
    setToken(null);
  }, [queryClient]);

  // A token revoked (or the server's admin token changed) while signed in: back to the form.
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type === 'updated' && isUnauthorized(event.query.state.error)) signOut();
      }),
    [queryClient, signOut],
  );

  const session = useMemo(
    () => (token === null ? null : { token, client: clientFor(token), signOut }),
    [token, signOut],
  );

  if (session === null) {
    return (
      <SignIn
        onSignedIn={(accepted) => {
          saveToken(accepted);
          setToken(accepted);
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
