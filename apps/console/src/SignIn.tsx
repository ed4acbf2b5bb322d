/** The sign-in form: an API token, checked against the server before it is kept. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { errorMessage, isUnauthorized } from './api/errors.js';
import { clientFor } from './api/session.js';

export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async () => {
    setChecking(true);
    setError(null);
    try {
      await clientFor(token.trim()).namespaces.list();
      onSignedIn(token.trim());
    } catch (err) {
      setError(
        isUnauthorized(err)
          ? 'The server refused this token. Use the admin token the server was started with (KAIROS_ADMIN_TOKEN or --admin-token); the server prints it at first start.'
          : errorMessage(err),
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Title order={2}>Kairos</Title>
            <Text size="sm" c="dimmed">
              Sign in with an API token. It is kept for this browser tab only.
            </Text>
            <PasswordInput
              label="API token"
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              required
              autoFocus
              autoComplete="current-password"
            />
            {error ? (
              <Alert color="red" role="alert" title="Not signed in">
                {error}
              </Alert>
            ) : null}
            <Button type="submit" loading={checking} disabled={token.trim() === ''}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
