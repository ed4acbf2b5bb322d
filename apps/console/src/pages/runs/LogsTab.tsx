/** The run's log lines (script and executor runs), followed live while the run runs. */
import { Code, ScrollArea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../api/session-context.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';

export function LogsTab({ runId, live }: { runId: number; live: boolean }) {
  const client = useClient();
  const logs = useQuery({
    queryKey: ['run-logs', runId],
    queryFn: () => client.runs.logs(runId, { limit: 5000 }),
    refetchInterval: live ? 2_000 : false,
  });
  if (logs.isPending) return <Loading what="logs" />;
  if (logs.isError) return <ErrorState error={logs.error} />;
  if (logs.data.items.length === 0) {
    return (
      <Empty title="No log lines">
        {live ? 'Lines appear here as the run writes them.' : 'This run wrote no log line.'}
      </Empty>
    );
  }
  return (
    <ScrollArea h={480}>
      <Code block>{logs.data.items.map((l) => `${l.at}  ${l.stream.padEnd(6)}  ${l.text}`).join('\n')}</Code>
    </ScrollArea>
  );
}
