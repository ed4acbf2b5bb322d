/**
 * A run's details, one tab per view (the tab is in the query string): Basic information, Input
 * and Output, Track, Events, Logs. A running run updates live; it can be cancelled, and any run
 * run again with the same input. A due run kept waiting (its pool, a budget) says why.
 */
import { Button, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import type { Run } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { AnchorLink } from '../../ui/links.js';
import { JsonView } from '../../ui/JsonView.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time, formatCost, formatDuration } from '../../ui/time.js';
import { EventsTab } from './EventsTab.js';
import { LogsTab } from './LogsTab.js';
import { TrackTab } from './TrackTab.js';
import { useRunStream } from './useRunStream.js';
import { OutputChecks } from './OutputChecks.js';
import { RunWaitingNote } from './RunWaitingNote.js';
import { CompareButton } from './CompareButton.js';

const TABS = ['basic', 'io', 'track', 'events', 'logs'] as const;

export function RunDetailPage() {
  const { id } = useParams({ from: '/runs/$id' });
  const client = useClient();
  const run = useQuery({
    queryKey: ['run', Number(id)],
    queryFn: () => client.runs.get(id),
    refetchInterval: (q) => (q.state.data && !isDone(q.state.data) ? 3_000 : false),
  });
  if (run.isPending) return <Loading what="the run" />;
  if (run.isError) return <ErrorState error={run.error} />;
  return <RunDetail run={run.data} />;
}

const isDone = (run: Run) => run.status !== 'running' && run.status !== 'scheduled';

function RunDetail({ run }: { run: Run }) {
  const { tab } = useSearch({ from: '/runs/$id' });
  const navigate = useNavigate({ from: '/runs/$id' });
  const client = useClient();
  const queryClient = useQueryClient();
  const live = !isDone(run);
  useRunStream(run.id, live);
  const task = useQuery({
    queryKey: ['task', String(run.taskId)],
    queryFn: () => client.tasks.get(run.taskId),
  });
  const cancel = useMutation({
    mutationFn: () => client.runs.cancel(run.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['run', run.id] }),
  });
  const again = useMutation({
    mutationFn: () =>
      client.tasks.run(run.taskId, run.input === null || run.input === undefined ? {} : { input: run.input }),
    onSuccess: ({ runId }) => navigate({ to: '/runs/$id', params: { id: String(runId) }, search: {} }),
  });
  const replay = useMutation({
    mutationFn: (pin: boolean) => client.runs.replay(run.id, { pin }),
    onSuccess: (replayed) => navigate({ to: '/runs/$id', params: { id: String(replayed.id) }, search: {} }),
  });
  const pinnable = typeof (run.output as { workflowId?: unknown } | null)?.workflowId === 'string';
  const current = TABS.includes(tab as (typeof TABS)[number]) ? (tab as string) : 'basic';

  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={2}>Run #{run.id}</Title>
          <StatusBadge status={run.status} />
          {task.data ? (
            <Link to="/tasks/$id" params={{ id: String(run.taskId) }} search={{}}>
              {task.data.name}
            </Link>
          ) : null}
        </Group>
        <Group>
          {live ? (
            <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel run
            </Button>
          ) : null}
          <Button variant="light" onClick={() => again.mutate()} loading={again.isPending}>
            Run again
          </Button>
          {pinnable ? (
            <Button variant="light" onClick={() => replay.mutate(true)} loading={replay.isPending}>
              Replay this workflow version
            </Button>
          ) : null}
          <CompareButton run={run} />
        </Group>
      </Group>
      <RunWaitingNote run={run} />
      {cancel.isError ? <ErrorState error={cancel.error} /> : null}
      {replay.isError ? <ErrorState error={replay.error} /> : null}
      {again.isError ? <ErrorState error={again.error} /> : null}
      <Tabs
        value={current}
        onChange={(value) =>
          void navigate({
            search: { tab: value === 'basic' ? undefined : (value ?? undefined) },
            replace: false,
          })
        }
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="basic">Basic information</Tabs.Tab>
          <Tabs.Tab value="io">Input and Output</Tabs.Tab>
          <Tabs.Tab value="track">Track</Tabs.Tab>
          <Tabs.Tab value="events">Events</Tabs.Tab>
          <Tabs.Tab value="logs">Logs</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="basic" pt="md">
          <BasicInformation run={run} taskName={task.data?.name} />
        </Tabs.Panel>
        <Tabs.Panel value="io" pt="md">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Paper withBorder p="md">
              <Text fw={600} mb="xs">
                Input
              </Text>
              <JsonView value={run.input} expanded />
            </Paper>
            <Paper withBorder p="md">
              <Text fw={600} mb="xs">
                Output
              </Text>
              <JsonView value={run.output} expanded />
            </Paper>
          </SimpleGrid>
        </Tabs.Panel>
        <Tabs.Panel value="track" pt="md">
          <TrackTab runId={run.id} live={live} />
        </Tabs.Panel>
        <Tabs.Panel value="events" pt="md">
          <EventsTab runId={run.id} />
        </Tabs.Panel>
        <Tabs.Panel value="logs" pt="md">
          <LogsTab runId={run.id} live={live} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function BasicInformation({ run, taskName }: { run: Run; taskName: string | undefined }) {
  const output = (run.output ?? {}) as Record<string, unknown>;
  const rows: [string, React.ReactNode][] = [
    ['Status', <StatusBadge key="s" status={run.status} />],
    ['Task', taskName ?? `task ${run.taskId}`],
    ['App id', run.appId],
    ['Namespace', run.namespace],
    ['Trigger', run.triggerType],
    ['Scheduled', <Time key="sch" iso={run.scheduledAt} />],
    ['Started', <Time key="st" iso={run.startedAt} />],
    ['Finished', <Time key="f" iso={run.finishedAt} />],
    ['Duration', formatDuration(run.durationMs)],
    ['Attempt', run.retryOf ? `${run.attempt} (retry of #${run.retryOf})` : run.attempt],
    ...(run.replayOf !== null
      ? [
          [
            run.triggerType === 'redrive' ? 'Redrive of' : 'Replay of',
            <AnchorLink key="rp" to="/runs/$id" params={{ id: String(run.replayOf) }} search={{}}>
              #{run.replayOf}
            </AnchorLink>,
          ] as [string, React.ReactNode],
        ]
      : []),
    ...(run.versionPin !== null ? [['Pinned to', run.versionPin] as [string, React.ReactNode]] : []),
    ...(run.workflowRunId != null
      ? [
          [
            'Workflow run',
            <AnchorLink
              key="wf"
              to="/workflow-runs/$id"
              params={{ id: String(run.workflowRunId) }}
              search={{}}
            >
              #{run.workflowRunId}, node {run.workflowNode}
              {run.workflowItem != null ? `, item ${run.workflowItem}` : ''}
            </AnchorLink>,
          ] as [string, React.ReactNode],
        ]
      : []),
    ...(run.triggeredBy != null
      ? [
          [
            'Triggered by',
            <AnchorLink key="tb" to="/runs/$id" params={{ id: String(run.triggeredBy) }} search={{}}>
              #{run.triggeredBy}
            </AnchorLink>,
          ] as [string, React.ReactNode],
        ]
      : []),
    ['Executor', run.executor ?? '—'],
    ['Tokens', run.usage?.totalTokens ?? '—'],
    [
      'Cost',
      run.usage?.totalPrice === undefined ? '—' : formatCost(run.usage.totalPrice, run.usage.currency),
    ],
  ];
  for (const key of ['workflowRunId', 'taskId']) {
    if (typeof output[key] === 'string')
      rows.push([`Dify ${key === 'taskId' ? 'task id' : 'workflow run id'}`, output[key]]);
  }
  return (
    <Stack>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xs">
          {rows.map(([label, value]) => (
            <Group key={label} gap="xs">
              <Text size="sm" c="dimmed" w={110}>
                {label}
              </Text>
              <Text size="sm" component="div">
                {value}
              </Text>
            </Group>
          ))}
        </SimpleGrid>
      </Paper>
      {run.checks ? <OutputChecks checks={run.checks} /> : null}
      {run.error ? (
        <Paper withBorder p="md">
          <Text fw={600} c="red">
            Error ({run.error.type})
          </Text>
          <Text size="sm">{run.error.message}</Text>
          <JsonView value={run.error} />
        </Paper>
      ) : null}
    </Stack>
  );
}
