/**
 * Batches: each batch with its task, status and a progress bar; the first page refreshes every
 * 3 s while open. A batch is started from its task's page (Start a batch).
 */
import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { byId, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { AnchorLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';
import { BatchProgressBar } from './BatchProgress.js';

export function BatchesPage() {
  const client = useClient();
  const tasks = useTasks();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const batches = useQuery({
    queryKey: ['batches', { cursor }],
    queryFn: () => client.batches.list({ cursor, limit: 50 }),
    placeholderData: keepPreviousData,
    refetchInterval: cursor ? false : 3_000,
  });
  const names = byId(tasks.data?.items);
  return (
    <Stack>
      <Title order={2}>Batches</Title>
      <Text size="sm" c="dimmed">
        A batch runs a task once per item of a dataset. Start one from a task’s page.
      </Text>
      {batches.isPending ? (
        <Loading what="batches" />
      ) : batches.isError ? (
        <ErrorState error={batches.error} />
      ) : batches.data.items.length === 0 ? (
        <Empty title="No batches yet">
          Open a task and choose “Start a batch” to run it over a JSONL or CSV file.
        </Empty>
      ) : (
        <Table striped highlightOnHover aria-label="Batches">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Batch</Table.Th>
              <Table.Th>Task</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th w="30%">Progress</Table.Th>
              <Table.Th>Done</Table.Th>
              <Table.Th>Failed</Table.Th>
              <Table.Th>Started</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {batches.data.items.map((b) => (
              <Table.Tr key={b.id}>
                <Table.Td>
                  <AnchorLink to="/batches/$id" params={{ id: String(b.id) }}>
                    {b.name ?? `#${b.id}`}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <AnchorLink to="/tasks/$id" params={{ id: String(b.taskId) }} search={{}}>
                    {names.get(b.taskId)?.name ?? `task ${b.taskId}`}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={b.status} />
                </Table.Td>
                <Table.Td>
                  <BatchProgressBar batch={b} />
                </Table.Td>
                <Table.Td>
                  {b.progress.done} / {b.progress.total}
                </Table.Td>
                <Table.Td>{b.progress.failed}</Table.Td>
                <Table.Td>
                  <Time iso={b.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        {cursors.length > 0 ? (
          <Button variant="default" onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </Button>
        ) : null}
        {batches.data?.nextCursor ? (
          <Button variant="default" onClick={() => setCursors((c) => [...c, batches.data.nextCursor!])}>
            Older
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
