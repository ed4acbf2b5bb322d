/**
 * A workflow run as a live graph: each node in its status's colour (StatusBadge's), polled
 * every 1.5 s while the run runs. Clicking a node opens its run (the last, for a node retried or
 * run once per item); the table below lists every node's runs. Cancel while it runs; resume a
 * failed run from its failed nodes (a new run that reuses what succeeded).
 */
import { Alert, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { JsonView } from '../../ui/JsonView.js';
import { AnchorLink } from '../../ui/links.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';
import { WorkflowGraph } from './WorkflowGraph.js';
import { nodeTally } from './WorkflowRunTable.js';
import { useClient } from '../../api/session-context.js';
import type { WorkflowNode, WorkflowRun } from '@kairos/protocol';

export const POLL_MS = 1_500;

export function WorkflowRunPage() {
  const { id } = useParams({ from: '/workflow-runs/$id' });
  const { workflowRuns } = useClient();
  const run = useQuery({
    queryKey: ['workflow-run', id],
    queryFn: () => workflowRuns.get(id),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? POLL_MS : false),
  });
  if (run.isPending) return <Loading what="the workflow run" />;
  if (run.isError) return <ErrorState error={run.error} />;
  return <WorkflowRunView run={run.data} />;
}

function WorkflowRunView({ run }: { run: WorkflowRun }) {
  const { workflows, workflowRuns } = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // The graph as it was when the run started: a later edit does not redraw an older run.
  const definition = useQuery({
    queryKey: ['workflow-version', run.workflowId, run.version],
    queryFn: () => workflows.version(run.workflowId, run.version),
    staleTime: Infinity,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['workflow-run', String(run.id)] });
  const cancel = useMutation({ mutationFn: () => workflowRuns.cancel(run.id), onSuccess: refresh });
  const resume = useMutation({
    mutationFn: () => workflowRuns.resume(run.id),
    onSuccess: async (next) => {
      await queryClient.invalidateQueries({ queryKey: ['workflow-runs'] });
      await navigate({ to: '/workflow-runs/$id', params: { id: String(next.id) } });
    },
  });
  const byKey = useMemo(() => new Map(run.nodes.map((n) => [n.key, n])), [run.nodes]);
  const describe = useCallback(
    (n: WorkflowNode) => {
      const state = byKey.get(n.key);
      const runs = state?.runIds.length ?? 0;
      return {
        status: state?.status ?? 'pending',
        subtitle: `${n.name ? `${n.key} · ` : ''}${
          state?.status === 'reused' && run.resumedFrom
            ? `result of #${run.resumedFrom}`
            : runs === 0
              ? 'no run'
              : runs === 1
                ? '1 run'
                : `${runs} runs`
        }`,
      };
    },
    [byKey, run.resumedFrom],
  );
  const openNode = useCallback(
    (key: string) => {
      const last = byKey.get(key)?.runIds.at(-1);
      if (last !== undefined) void navigate({ to: '/runs/$id', params: { id: String(last) }, search: {} });
    },
    [byKey, navigate],
  );
  const names = new Map((definition.data?.nodes ?? []).map((n) => [n.key, n.name]));

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>Workflow run #{run.id}</Title>
          <StatusBadge status={run.status} />
          <AnchorLink to="/workflows/$id" params={{ id: String(run.workflowId) }} search={{}}>
            {run.workflowName}
          </AnchorLink>
          <Text size="sm" c="dimmed">
            v{run.version}
          </Text>
        </Group>
        <Group>
          {run.status === 'running' ? (
            <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel
            </Button>
          ) : null}
          {run.status === 'failed' ? (
            <Button onClick={() => resume.mutate()} loading={resume.isPending}>
              Resume from failed nodes
            </Button>
          ) : null}
        </Group>
      </Group>
      {cancel.isError ? <ErrorState error={cancel.error} /> : null}
      {resume.isError ? <ErrorState error={resume.error} /> : null}
      {run.error ? (
        <Alert color="red" title={`The workflow run ${run.status.replace('_', ' ')} (${run.error.type})`}>
          {run.error.message}
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="xs">
          <Text size="sm">
            <b>Trigger</b> {run.triggerType}
            {run.resumedFrom ? (
              <>
                {' '}
                of{' '}
                <AnchorLink to="/workflow-runs/$id" params={{ id: String(run.resumedFrom) }}>
                  #{run.resumedFrom}
                </AnchorLink>
              </>
            ) : null}
          </Text>
          <Text size="sm" component="div">
            <b>Started</b> <Time iso={run.startedAt ?? run.createdAt} />
          </Text>
          <Text size="sm" component="div">
            <b>Finished</b> <Time iso={run.finishedAt} />
          </Text>
          <Text size="sm">
            <b>Nodes</b> {nodeTally(run)}
          </Text>
        </SimpleGrid>
      </Paper>
      <Paper withBorder style={{ overflow: 'hidden' }}>
        {definition.isError ? (
          <ErrorState error={definition.error} title="The workflow’s graph could not be read" />
        ) : !definition.data ? (
          <Loading what="the graph" />
        ) : (
          <WorkflowGraph
            nodes={definition.data.nodes}
            edges={definition.data.edges}
            describe={describe}
            onNodeClick={openNode}
            height={420}
          />
        )}
      </Paper>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Node</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Runs</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {run.nodes.map((n) => (
            <Table.Tr key={n.key} data-testid="workflow-node-row">
              <Table.Td>{names.get(n.key) ? `${names.get(n.key)} (${n.key})` : n.key}</Table.Td>
              <Table.Td>
                <StatusBadge status={n.status} />
              </Table.Td>
              <Table.Td>
                <Group gap={6}>
                  {n.runIds.length === 0 ? '—' : null}
                  {n.runIds.map((runId) => (
                    <AnchorLink
                      key={runId}
                      to="/runs/$id"
                      params={{ id: String(runId) }}
                      search={{}}
                      size="sm"
                    >
                      #{runId}
                    </AnchorLink>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{n.error ? `${n.error.message} (${n.error.type})` : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">
          Input
        </Text>
        <JsonView value={run.input} expanded />
      </Paper>
    </Stack>
  );
}
