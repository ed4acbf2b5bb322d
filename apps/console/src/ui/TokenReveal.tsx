/** An access token shown once, with a copy button. */
import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

export function TokenReveal({ token }: { token: string }) {
  return (
    <Alert color="yellow" title="Copy the access token now">
      <Stack gap="xs">
        <Text size="sm">It is shown only this once; executors register with it.</Text>
        <Group wrap="nowrap">
          <Code data-testid="access-token" style={{ wordBreak: 'break-all' }}>
            {token}
          </Code>
          <CopyButton value={token}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}
