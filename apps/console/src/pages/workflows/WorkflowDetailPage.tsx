/**
 * One workflow: its settings and graph, its runs (newest first, refreshed every 5 s), and the
 * actions (run once, enable, edit, delete). `?edit=true` opens the editor.
 */
import { Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useCallback, useMemo, useState } from 'react';
import { useTasks } from '../../api/lookups.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { JsonView } from '../../ui/JsonView.js';
import { ButtonLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { Time, formatInZone } from '../../ui/time.js';
import { RunWorkflowModal } from './RunWorkflowModal.js';
import { WorkflowEditor } from './WorkflowEditor.js';
import { WorkflowGraph } from './WorkflowGraph.js';
import { WorkflowRunTable } from './WorkflowRunTable.js';
import { draftOfWorkflow } from './editor-state.js';
import { scheduleWords } from './schedule-words.js';
import { useClient } from '../../api/session-context.js';
import type { Workflow, WorkflowNode } from '@kairos/protocol';

export function WorkflowDetailPage() {
  const { id } = useParams({ from: '/workflows/$id' });
  const { edit } = useSearch({ from: '/workflows/$id' });
  const { workflows } = useClient();
  const workflow = useQuery({ queryKey: ['workflow', id], queryFn: () => workflows.get(id) });
  if (workflow.isPending) return <Loading what="the workflow" />;
  if (workflow.isError) return <ErrorState error={workflow.error} />;
  if (edit) {
    return (
      <Stack>
        <Title order={2}>Edit {workflow.data.name}</Title>
        <WorkflowEditor
          key={workflow.data.version}
          initial={draftOfWorkflow(workflow.data)}
          editing={workflow.data}
        />
      </Stack>
    );
  }
  return <WorkflowDetail workflow={workflow.data} />;
}

function WorkflowDetail({ workflow }: { workflow: Workflow }) {
  const { workflows, workflowRuns } = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const tasks = useTasks();
  const [running, setRunning] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['workflow', String(workflow.id)] });
  const toggle = useMutation({
    mutationFn: () => workflows.update(workflow.id, { enabled: !workflow.enabled }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => workflows.delete(workflow.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['workflows'] });
      await navigate({ to: '/workflows' });
    },
  });
  const runs = useQuery({
    queryKey: ['workflow-runs', { workflowId: workflow.id, limit: 20 }],
    queryFn: () => workflowRuns.list({ workflowId: workflow.id, limit: 20 }),
    refetchInterval: 5_000,
  });
  const taskNames = useMemo(
    () => new Map((tasks.data?.items ?? []).map((t) => [t.id, t.name])),
    [tasks.data],
  );
  const describe = useCallback(
    (n: WorkflowNode) => ({
      subtitle: `${n.name ? `${n.key} · ` : ''}${
        n.taskId !== undefined && n.taskId !== null
          ? `task ${taskNames.get(n.taskId) ?? n.taskId}`
          : `inline ${n.task?.type ?? ''}`
      }${n.forEach ? ' · for each' : ''}`,
    }),
    [taskNames],
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{workflow.name}</Title>
          <Badge variant="light" color="gray">
            v{workflow.version}
          </Badge>
          <Badge color={workflow.enabled ? 'green' : 'gray'} variant="light">
            {workflow.enabled ? 'enabled' : 'disabled'}
          </Badge>
        </Group>
        <Group>
          <Button onClick={() => setRunning(true)}>Run once</Button>
          <Button variant="light" onClick={() => toggle.mutate()} loading={toggle.isPending}>
            {workflow.enabled ? 'Disable' : 'Enable'}
          </Button>
          <ButtonLink
            variant="light"
            to="/workflows/$id"
            params={{ id: String(workflow.id) }}
            search={{ edit: true }}
          >
            Edit
          </ButtonLink>
          <ConfirmButton
            label="Delete"
            variant="light"
            question={`Delete workflow ${workflow.name}? Its runs’ node runs stay in the run history.`}
            onConfirm={() => remove.mutate()}
            loading={remove.isPending}
          />
        </Group>
      </Group>
      <RunWorkflowModal workflow={workflow} opened={running} onClose={() => setRunning(false)} />
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <Paper withBorder p="md">
        <Stack gap={6}>
          <Text size="sm">
            <b>Schedule</b> <Code>{scheduleWords(workflow.schedule)}</Code> · <b>Timeout</b>{' '}
            {workflow.timeoutSeconds ? `${workflow.timeoutSeconds} s` : 'none'} · <b>Namespace</b>{' '}
            {workflow.namespace} · <b>App</b> {workflow.appName} · <b>Changed</b>{' '}
            <Time iso={workflow.updatedAt} />
          </Text>
          <Text size="sm">
            <b>Next fire</b>{' '}
            {workflow.nextFireAt && workflow.enabled
              ? `${formatInZone(workflow.nextFireAt, workflow.schedule.timezone)} ${workflow.schedule.timezone}`
              : workflow.schedule.type === 'api'
                ? 'runs only when triggered'
                : '—'}{' '}
            · <b>When busy</b> {workflow.concurrency.overlap} (at most {workflow.concurrency.max} at once)
          </Text>
          {workflow.description ? <Text size="sm">{workflow.description}</Text> : null}
        </Stack>
      </Paper>
      <Paper withBorder style={{ overflow: 'hidden' }}>
        {workflow.nodes.length === 0 ? (
          <Empty title="No nodes yet">Press Edit to add the tasks this workflow runs.</Empty>
        ) : (
          <WorkflowGraph nodes={workflow.nodes} edges={workflow.edges} describe={describe} />
        )}
      </Paper>
      {workflow.input && Object.keys(workflow.input).length > 0 ? (
        <Paper withBorder p="md">
          <Text size="sm" fw={600} mb="xs">
            Default input
          </Text>
          <JsonView value={workflow.input} expanded />
        </Paper>
      ) : null}
      <Title order={3}>Runs</Title>
      {runs.isError ? (
        <ErrorState error={runs.error} />
      ) : !runs.data ? (
        <Loading what="runs" />
      ) : runs.data.items.length === 0 ? (
        <Empty title="Not run yet">
          {workflow.schedule.type === 'api'
            ? 'It runs when triggered: press Run once, or use the API or the CLI.'
            : 'It runs on its schedule; Run once starts a run now.'}
        </Empty>
      ) : (
        <WorkflowRunTable runs={runs.data.items} />
      )}
    </Stack>
  );
}
