/**
 * Creating and editing a workflow: its name and settings, the graph, and its schedule (the task
 * form's schedule fields and preview). The server validates, as for tasks; its refusals are
 * shown on the node, edge or field they name. A cycle is refused here before anything is sent.
 */
import { Alert, Group, JsonInput, Paper, Select, Stack, Switch, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import type { ScheduleInput } from '@kairos/protocol';
import { errorField, errorMessage } from '../../api/errors.js';
import { useApps, useTasks } from '../../api/lookups.js';
import { FormActions } from '../../ui/FormActions.js';
import { ScheduleFields } from '../tasks/ScheduleFields.js';
import { SchedulePreview } from '../tasks/SchedulePreview.js';
import { FormFieldError, scheduleOf, type TaskFormState } from '../tasks/task-form-state.js';
import { GraphEditor } from './GraphEditor.js';
import {
  placeProblems,
  problemText,
  workflowBody,
  workflowPatch,
  type DraftEdge,
  type DraftNode,
  type Problem,
  type WorkflowMeta,
} from './editor-state.js';
import { findCycle } from './graph-checks.js';
import { useClient } from '../../api/session-context.js';
import type { Workflow } from '@kairos/protocol';

export function WorkflowEditor({
  initial,
  editing,
}: {
  initial: { meta: WorkflowMeta; nodes: DraftNode[]; edges: DraftEdge[] };
  editing?: Workflow;
}) {
  const { workflows } = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const tasks = useTasks();
  const apps = useApps();
  const [meta, setMeta] = useState(initial.meta);
  const [nodes, setNodes] = useState(initial.nodes);
  const [edges, setEdges] = useState(initial.edges);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [accepted, setAccepted] = useState(false);

  const setSchedule = <K extends keyof TaskFormState>(key: K, value: TaskFormState[K]) =>
    setMeta((m) => ({ ...m, schedule: { ...m.schedule, [key]: value } }));
  const workflowProblems = problems.filter((p) => p.on === 'workflow');
  const errorOf = (field: string) => workflowProblems.find((p) => p.field === field)?.message;
  const schedule = useMemo((): ScheduleInput | null => {
    try {
      return scheduleOf(meta.schedule);
    } catch {
      return null;
    }
  }, [meta.schedule]);
  const namespace = editing?.namespace;
  const namespaceTasks = (tasks.data?.items ?? []).filter(
    (t) => namespace === undefined || t.namespace === namespace,
  );

  /** The body to send, or the refusals that keep it from being sent. */
  const bodyOrProblems = () => {
    const cycle = findCycle(edges.map((e) => ({ from: e.source, to: e.target })));
    if (cycle) return { problems: placeProblems('edges', `cycle: ${cycle.join(' → ')}`, nodes, edges) };
    try {
      return { body: workflowBody(meta, nodes, edges) };
    } catch (error) {
      if (error instanceof FormFieldError) {
        return {
          problems: placeProblems(error.field, error.message.replace(`${error.field}: `, ''), nodes, edges),
        };
      }
      throw error;
    }
  };
  const refused = (error: unknown) =>
    setProblems(placeProblems(errorField(error), errorMessage(error), nodes, edges));

  const save = useMutation({
    mutationFn: async () => {
      const next = bodyOrProblems();
      if (!next.body) {
        setProblems(next.problems);
        return null;
      }
      return editing ? workflows.update(editing.id, workflowPatch(next.body)) : workflows.create(next.body);
    },
    onMutate: () => {
      setProblems([]);
      setAccepted(false);
    },
    onError: refused,
    onSuccess: async (saved) => {
      if (saved === null) return;
      await queryClient.invalidateQueries({ queryKey: ['workflows'] });
      await queryClient.invalidateQueries({ queryKey: ['workflow', String(saved.id)] });
      await navigate({ to: '/workflows/$id', params: { id: String(saved.id) }, search: {} });
    },
  });
  const check = useMutation({
    mutationFn: async () => {
      const next = bodyOrProblems();
      if (!next.body) return { problems: next.problems };
      const result = await workflows.validate(next.body);
      return { problems: result.errors.flatMap((e) => placeProblems(e.field, e.message, nodes, edges)) };
    },
    onMutate: () => {
      setProblems([]);
      setAccepted(false);
    },
    onError: refused,
    onSuccess: (result) => {
      setProblems(result.problems);
      setAccepted(result.problems.length === 0);
    },
  });

  const listed = problems.filter((p) => p.on !== 'workflow' || !isShownOnField(p.field));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        <Paper withBorder p="md">
          <Stack>
            <Title order={4}>Workflow</Title>
            <Group grow align="flex-start">
              <TextInput
                label="Name"
                value={meta.name}
                onChange={(e) => setMeta({ ...meta, name: e.currentTarget.value })}
                error={errorOf('name')}
                required
              />
              <Select
                label="App"
                description="Its scheduled fires and inline tasks run under it"
                data={(apps.data?.items ?? []).map((a) => a.appName)}
                value={meta.app || null}
                onChange={(v) => setMeta({ ...meta, app: v ?? '' })}
                error={errorOf('app')}
                placeholder={apps.data?.items.length === 0 ? 'Create an app first' : 'Pick an app'}
                searchable
                required
              />
            </Group>
            <TextInput
              label="Description"
              value={meta.description}
              onChange={(e) => setMeta({ ...meta, description: e.currentTarget.value })}
              error={errorOf('description')}
            />
            <JsonInput
              label="Default input (JSON)"
              description="The workflow run’s input when a run is given none; nodes read it as input"
              value={meta.input}
              onChange={(v) => setMeta({ ...meta, input: v })}
              error={errorOf('input')}
              autosize
              minRows={2}
              formatOnBlur
            />
            <Group grow align="flex-start">
              <TextInput
                label="Timeout (seconds)"
                description="For the whole workflow run; empty for none"
                value={meta.timeoutSeconds}
                onChange={(e) => setMeta({ ...meta, timeoutSeconds: e.currentTarget.value })}
                error={errorOf('timeoutSeconds')}
              />
              <TextInput
                label="Max running at once"
                description="Runs of this workflow"
                value={meta.concurrencyMax}
                onChange={(e) => setMeta({ ...meta, concurrencyMax: e.currentTarget.value })}
                error={errorOf('concurrency.max')}
              />
              <Select
                label="When busy"
                description="A fire while that many run"
                data={['skip', 'queue', 'replace', 'allow']}
                value={meta.overlap}
                onChange={(v) => setMeta({ ...meta, overlap: (v ?? 'skip') as WorkflowMeta['overlap'] })}
                allowDeselect={false}
              />
            </Group>
            <Switch
              label="Enabled (scheduled)"
              checked={meta.enabled}
              onChange={(e) => setMeta({ ...meta, enabled: e.currentTarget.checked })}
            />
          </Stack>
        </Paper>
        <GraphEditor
          nodes={nodes}
          edges={edges}
          setNodes={setNodes}
          setEdges={setEdges}
          problems={problems}
          tasks={namespaceTasks}
          onCheck={() => check.mutate()}
          checking={check.isPending}
        />
        <Paper withBorder p="md">
          <Stack>
            <Title order={4}>When</Title>
            <ScheduleFields form={meta.schedule} set={setSchedule} errorOf={errorOf} />
            <SchedulePreview schedule={schedule} namespace={namespace} />
          </Stack>
        </Paper>
        {listed.length > 0 ? (
          <Alert
            color="red"
            title="The server refused this workflow"
            role="alert"
            data-testid="workflow-problems"
          >
            {listed.map((p) => (
              <div key={problemText(p)}>{problemText(p)}</div>
            ))}
          </Alert>
        ) : null}
        {accepted ? (
          <Alert color="blue" title="Check">
            The server accepts this workflow.
          </Alert>
        ) : null}
        <FormActions
          unplacedError={undefined}
          onCancel={() =>
            void (editing
              ? navigate({ to: '/workflows/$id', params: { id: String(editing.id) }, search: {} })
              : navigate({ to: '/workflows' }))
          }
          submitLabel={editing ? 'Save workflow' : 'Create workflow'}
          pending={save.isPending}
        />
      </Stack>
    </form>
  );
}

/** The workflow's own fields the form shows (their refusals are shown there). */
function isShownOnField(field: string | undefined): boolean {
  if (field === undefined) return false;
  const schedule = ['expression', 'intervalSeconds', 'delaySeconds', 'at', 'timezone', 'calendar.id'];
  return (
    ['name', 'app', 'timeoutSeconds', 'concurrency.max', 'description', 'input'].includes(field) ||
    schedule.some((f) => field === `schedule.${f}`)
  );
}
