/**
 * One batch: its progress (refreshed every 2 s while it runs), tokens, cost and estimated finish,
 * its actions (pause, resume, cancel, retry the failed items, download the results, replay it
 * once finished), the comparison with the batch it replays, and the table of its failed and
 * invalid items.
 */
import { Button, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import type { Batch, KairosClient } from '@kairos/protocol';
import { byId, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { AnchorLink, ButtonLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time, formatCost } from '../../ui/time.js';
import { BatchCounts } from './BatchProgress.js';
import { ReplayBatchButton } from './ReplayBatchButton.js';

async function download(client: KairosClient, batch: Batch, format: 'jsonl' | 'csv'): Promise<void> {
  const response = await client.batches.results(batch.id, { format });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `batch-${batch.id}.${format}`;
  link.click();
  URL.revokeObjectURL(url);
}

const short = (value: unknown): string => {
  const text = JSON.stringify(value) ?? '';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

export function BatchDetailPage() {
  const { id } = useParams({ from: '/batches/$id' });
  const client = useClient();
  const queryClient = useQueryClient();
  const tasks = useTasks();
  const batch = useQuery({
    queryKey: ['batches', Number(id)],
    queryFn: () => client.batches.get(Number(id)),
    refetchInterval: (q) =>
      q.state.data?.status === 'running' || q.state.data?.status === 'paused' ? 2_000 : false,
  });
  const failed = useQuery({
    queryKey: ['batches', Number(id), 'failed', batch.data?.progress.failed, batch.data?.progress.invalid],
    queryFn: () => client.batches.items(Number(id), { status: ['failed', 'invalid'], limit: 100 }),
    enabled: batch.isSuccess,
  });
  const act = useMutation({
    mutationFn: async (action: 'pause' | 'resume' | 'cancel' | 'retry') =>
      action === 'retry'
        ? (await client.batches.retryFailed(Number(id))).batch
        : client.batches[action](Number(id)),
    onSuccess: (after) => {
      queryClient.setQueryData(['batches', Number(id)], after);
      void queryClient.invalidateQueries({ queryKey: ['batches'] });
    },
  });

  if (batch.isPending) return <Loading what="the batch" />;
  if (batch.isError) return <ErrorState error={batch.error} />;
  const b = batch.data;
  const p = b.progress;
  const live = b.status === 'running' || b.status === 'paused';
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{b.name ?? `Batch ${b.id}`}</Title>
          <StatusBadge status={b.status} />
        </Group>
        <Group>
          {b.status === 'running' ? (
            <Button variant="light" onClick={() => act.mutate('pause')} loading={act.isPending}>
              Pause
            </Button>
          ) : null}
          {b.status === 'paused' ? (
            <Button onClick={() => act.mutate('resume')} loading={act.isPending}>
              Resume
            </Button>
          ) : null}
          {p.failed > 0 && b.status !== 'cancelled' ? (
            <Button variant="light" onClick={() => act.mutate('retry')} loading={act.isPending}>
              Retry {p.failed} failed
            </Button>
          ) : null}
          {live ? (
            <ConfirmButton
              color="red"
              variant="light"
              label="Cancel batch"
              question={`Cancel batch ${b.id}? Its ${p.left} items left will not run; running runs are cancelled.`}
              onConfirm={() => act.mutate('cancel')}
              loading={act.isPending}
            />
          ) : null}
          {b.source.type === 'batch' && typeof b.source.batchId === 'number' ? (
            <ButtonLink
              variant="light"
              to="/batches/$id/compare/$otherId"
              params={{ id: String(b.source.batchId), otherId: String(b.id) }}
            >
              Compare with batch {b.source.batchId}
            </ButtonLink>
          ) : null}
          {b.status === 'completed' || b.status === 'cancelled' ? <ReplayBatchButton batch={b} /> : null}
          <Button variant="default" onClick={() => void download(client, b, 'jsonl')}>
            Results JSONL
          </Button>
          <Button variant="default" onClick={() => void download(client, b, 'csv')}>
            Results CSV
          </Button>
        </Group>
      </Group>
      {act.isError ? <ErrorState error={act.error} /> : null}
      <Paper withBorder p="md">
        <BatchCounts batch={b} />
      </Paper>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label="Task">
          <AnchorLink to="/tasks/$id" params={{ id: String(b.taskId) }} search={{}}>
            {byId(tasks.data?.items).get(b.taskId)?.name ?? `task ${b.taskId}`}
          </AnchorLink>
        </Stat>
        <Stat label="Concurrency">{b.concurrency}</Stat>
        <Stat label="Tokens">{p.tokens.toLocaleString()}</Stat>
        <Stat label="Cost">{formatCost(p.cost, p.currency ?? undefined)}</Stat>
        <Stat label="Started">
          <Time iso={b.createdAt} />
        </Stat>
        <Stat label={b.finishedAt ? 'Ended' : 'Estimated finish'}>
          <Time iso={b.finishedAt ?? p.estimatedFinishAt} />
        </Stat>
        <Stat label="Source">
          <Code>{short(b.source)}</Code>
        </Stat>
        <Stat label="Shared input">
          <Code>{b.input ? short(b.input) : '—'}</Code>
        </Stat>
      </SimpleGrid>
      <Title order={4}>Failed and invalid items</Title>
      {failed.isPending ? (
        <Loading what="items" />
      ) : failed.isError ? (
        <ErrorState error={failed.error} />
      ) : failed.data.items.length === 0 ? (
        <Empty title="No failed item" />
      ) : (
        <Table striped aria-label="Failed items">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Item</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Input</Table.Th>
              <Table.Th>Error</Table.Th>
              <Table.Th>Run</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {failed.data.items.map((item) => (
              <Table.Tr key={item.seq}>
                <Table.Td>{item.seq}</Table.Td>
                <Table.Td>
                  <StatusBadge status={item.status} />
                </Table.Td>
                <Table.Td>{item.attempt}</Table.Td>
                <Table.Td>
                  <Code>{item.input ? short(item.input) : '—'}</Code>
                </Table.Td>
                <Table.Td>{item.error?.message ?? '—'}</Table.Td>
                <Table.Td>
                  {item.runId ? (
                    <AnchorLink to="/runs/$id" params={{ id: String(item.runId) }} search={{}}>
                      {item.runId}
                    </AnchorLink>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Paper>
  );
}
