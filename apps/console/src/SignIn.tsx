/**
 * The sign-in form: a username and password (a console session in an HttpOnly cookie), or an
 * API token (checked against the server before it is kept for this tab).
 */
import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { errorMessage, isUnauthorized } from './api/errors.js';
import { clientFor, type Credentials } from './api/session.js';

function PasswordForm({ onSignedIn }: { onSignedIn: (credentials: Credentials) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async () => {
    setChecking(true);
    setError(null);
    try {
      const me = await clientFor().session.signIn(username.trim(), password);
      onSignedIn({ kind: 'cookie', csrfToken: me.csrfToken ?? '' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setChecking(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Stack>
        <TextInput
          label="Username"
          value={username}
          onChange={(e) => setUsername(e.currentTarget.value)}
          required
          autoFocus
          autoComplete="username"
        />
        <PasswordInput
          label="Password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          required
          autoComplete="current-password"
        />
        {error ? (
          <Alert color="red" role="alert" title="Not signed in">
            {error}
          </Alert>
        ) : null}
        <Button type="submit" loading={checking} disabled={username.trim() === '' || password === ''}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function TokenForm({ onSignedIn }: { onSignedIn: (credentials: Credentials) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async () => {
    setChecking(true);
    setError(null);
    const credentials: Credentials = { kind: 'token', token: token.trim() };
    try {
      await clientFor(credentials).namespaces.list();
      onSignedIn(credentials);
    } catch (err) {
      setError(
        isUnauthorized(err)
          ? 'The server refused this token. Use a token from "kairos tokens create", or the admin token the server was started with (KAIROS_ADMIN_TOKEN or --admin-token); the server prints it at first start.'
          : errorMessage(err),
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          It is kept for this browser tab only.
        </Text>
        <PasswordInput
          label="API token"
          value={token}
          onChange={(e) => setToken(e.currentTarget.value)}
          required
          autoComplete="off"
        />
        {error ? (
          <Alert color="red" role="alert" title="Not signed in">
            {error}
          </Alert>
        ) : null}
        <Button type="submit" loading={checking} disabled={token.trim() === ''}>
          Sign in with the token
        </Button>
      </Stack>
    </form>
  );
}

/** Offered when the server has an OpenID Connect provider: a plain link, the server redirects. */
function OidcLink() {
  const [offered, setOffered] = useState(false);
  useEffect(() => {
    void fetch('/api/v1/session/methods')
      .then((r) => (r.ok ? (r.json() as Promise<{ oidc: boolean }>) : { oidc: false }))
      .then((methods) => setOffered(methods.oidc))
      .catch(() => undefined);
  }, []);
  if (!offered) return null;
  return (
    <Button component="a" href="/api/v1/session/oidc" variant="light">
      Sign in with OpenID Connect
    </Button>
  );
}

export function SignIn({ onSignedIn }: { onSignedIn: (credentials: Credentials) => void }) {
  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <Stack>
          <Title order={2}>Kairos</Title>
          <Tabs defaultValue="password" keepMounted={false}>
            <Tabs.List grow mb="md">
              <Tabs.Tab value="password">Account</Tabs.Tab>
              <Tabs.Tab value="token">Token</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="password">
              <Stack>
                <PasswordForm onSignedIn={onSignedIn} />
                <OidcLink />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="token">
              <TokenForm onSignedIn={onSignedIn} />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      </Paper>
    </Center>
  );
}
