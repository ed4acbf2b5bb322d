/** An access token shown once, with a copy button. */
import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** `usedBy`: who presents the token (an app's executors by default). */
export function TokenReveal({
  token,
  usedBy = 'executors register with it',
}: {
  token: string;
  usedBy?: string;
}) {
  return (
    <Alert color="yellow" title="Copy the token now">
      <Stack gap="xs">
        <Text size="sm">It is shown only this once; {usedBy}.</Text>
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
