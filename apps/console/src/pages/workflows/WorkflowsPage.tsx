/** Workflows: name, schedule, version, the last run's status, enabled; what a workflow is when there is none. */
import { Badge, Center, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink, ButtonLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time, formatInZone } from '../../ui/time.js';
import { scheduleWords } from './schedule-words.js';
import { useClient } from '../../api/session-context.js';

export function WorkflowsPage() {
  const { workflows } = useClient();
  const list = useQuery({ queryKey: ['workflows'], queryFn: () => workflows.list({ limit: 500 }) });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Workflows</Title>
        <ButtonLink to="/workflows/new">New workflow</ButtonLink>
      </Group>
      {list.isPending ? (
        <Loading what="workflows" />
      ) : list.isError ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Stack gap={0} data-testid="workflows-empty">
          <Empty title="No workflows yet">
            A workflow runs several tasks as one: each node is a task (an existing one or one defined in the
            workflow), each edge says what runs next (on success, on failure, always, or when an expression
            holds), and a node’s output can feed the next one’s input. Branches run in parallel; a workflow is
            scheduled like a task, and every run is shown as a live graph.
          </Empty>
          <Center>
            <ButtonLink to="/workflows/new">Create a workflow</ButtonLink>
          </Center>
        </Stack>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Schedule</Table.Th>
              <Table.Th>Next fire (its zone)</Table.Th>
              <Table.Th>Nodes</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Last run</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((w) => (
              <Table.Tr key={w.id} data-testid="workflow-row">
                <Table.Td>
                  <AnchorLink to="/workflows/$id" params={{ id: String(w.id) }} search={{}}>
                    {w.name}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{scheduleWords(w.schedule)}</Table.Td>
                <Table.Td>
                  {w.nextFireAt && w.enabled
                    ? `${formatInZone(w.nextFireAt, w.schedule.timezone)} ${w.schedule.timezone}`
                    : '—'}
                </Table.Td>
                <Table.Td>{w.nodes.length}</Table.Td>
                <Table.Td>v{w.version}</Table.Td>
                <Table.Td>
                  <LastRun workflowId={w.id} />
                </Table.Td>
                <Table.Td>
                  <Badge color={w.enabled ? 'green' : 'gray'} variant="light">
                    {w.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function LastRun({ workflowId }: { workflowId: number }) {
  const { workflowRuns } = useClient();
  const last = useQuery({
    queryKey: ['workflow-runs', { workflowId, limit: 1 }],
    queryFn: () => workflowRuns.list({ workflowId, limit: 1 }),
    refetchInterval: 5_000,
  });
  const run = last.data?.items[0];
  if (!run)
    return (
      <Text size="sm" c="dimmed">
        {last.isPending ? '…' : 'never run'}
      </Text>
    );
  return (
    <Group gap="xs" wrap="nowrap">
      <StatusBadge status={run.status} />
      <AnchorLink to="/workflow-runs/$id" params={{ id: String(run.id) }} size="sm">
        <Time iso={run.createdAt} />
      </AnchorLink>
    </Group>
  );
}
