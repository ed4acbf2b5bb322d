/** Every registered executor, refreshed every 10 s. */
import { Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../api/session-context.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { ExecutorTable } from './ExecutorTable.js';

export function ExecutorsPage() {
  const client = useClient();
  const executors = useQuery({
    queryKey: ['executors'],
    queryFn: () => client.executors.list(),
    refetchInterval: 10_000,
  });
  return (
    <Stack>
      <Title order={2}>Executors</Title>
      {executors.isPending ? (
        <Loading what="executors" />
      ) : executors.isError ? (
        <ErrorState error={executors.error} />
      ) : executors.data.items.length === 0 ? (
        <Empty title="No executor has registered">
          Start an executor (an XXL-JOB executor, or one built with the Kairos SDK) with an app’s name and
          access token; it appears here at its first heartbeat.
        </Empty>
      ) : (
        <ExecutorTable executors={executors.data.items} />
      )}
    </Stack>
  );
}
