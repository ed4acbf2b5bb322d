/**
 * Creating, editing and cloning a task, for every job type and schedule type. The server
 * validates (its errors are shown on the field they name); the schedule is previewed as typed.
 */
import {
  Alert,
  Button,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Switch,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import type { ScheduleInput, Task } from '@kairos/protocol';
import { errorField, errorMessage } from '../../api/errors.js';
import { useApps, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { JobConfigFields } from './JobConfigFields.js';
import { ScheduleFields } from './ScheduleFields.js';
import { SchedulePreview } from './SchedulePreview.js';
import {
  FIELDS_OF_TYPE,
  FormFieldError,
  JOB_TYPES,
  bodyOf,
  scheduleOf,
  type TaskFormState,
} from './task-form-state.js';

interface Problem {
  field?: string | undefined;
  message: string;
}

export function TaskForm({ initial, editing }: { initial: TaskFormState; editing?: Task }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const apps = useApps();
  const tasks = useTasks();
  const [form, setForm] = useState(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notes, setNotes] = useState<string[]>([]);

  const set = <K extends keyof TaskFormState>(key: K, value: TaskFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const errorOf = (field: string) => (problem?.field === field ? problem.message : undefined);
  // The server names the item (`childTaskIds[1]: no task 999`).
  const childrenError = problem?.field?.startsWith('childTaskIds') ? problem.message : undefined;
  const childChoices = (tasks.data?.items ?? [])
    .filter((t) => t.id !== editing?.id && (editing === undefined || t.namespace === editing.namespace))
    .map((t) => ({ value: String(t.id), label: t.name }));
  const schedule = useMemo((): ScheduleInput | null => {
    try {
      return scheduleOf(form);
    } catch {
      return null;
    }
  }, [form]);

  const fail = (error: unknown) => {
    if (error instanceof FormFieldError) setProblem({ field: error.field, message: error.message });
    else setProblem({ field: errorField(error), message: errorMessage(error) });
  };

  const save = useMutation({
    mutationFn: async () => {
      const body = bodyOf(form);
      if (editing) {
        const { namespace: _namespace, ...patch } = body;
        // A schedule PATCH merges: say so when the form has no calendar, or the old one stays.
        return client.tasks.update(editing.id, {
          ...patch,
          schedule: { ...patch.schedule, calendar: patch.schedule.calendar ?? null },
        });
      }
      return client.tasks.create(body);
    },
    onMutate: () => setProblem(null),
    onError: fail,
    onSuccess: async (task) => {
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
      await queryClient.invalidateQueries({ queryKey: ['task', String(task.id)] });
      await navigate({ to: '/tasks/$id', params: { id: String(task.id) }, search: {} });
    },
  });
  const check = useMutation({
    mutationFn: () => client.tasks.validate(bodyOf(form)),
    onMutate: () => {
      setProblem(null);
      setNotes([]);
    },
    onError: fail,
    onSuccess: (result) => {
      const first = result.errors?.[0];
      if (first) setProblem({ field: first.field, message: first.message });
      setNotes(result.valid ? ['The server accepts this task.', ...result.warnings] : result.warnings);
    },
  });
  const shownProblem = problem && !isShownOnField(problem.field, form) ? problem : null;

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
            <Title order={4}>Task</Title>
            <Group grow align="flex-start">
              <TextInput
                label="Name"
                value={form.name}
                onChange={(e) => set('name', e.currentTarget.value)}
                error={errorOf('name')}
                required
              />
              <Select
                label="App"
                data={(apps.data?.items ?? []).map((a) => a.appName)}
                value={form.app || null}
                onChange={(v) => set('app', v ?? '')}
                error={errorOf('app')}
                disabled={editing !== undefined}
                placeholder={apps.data?.items.length === 0 ? 'Create an app first' : 'Pick an app'}
                searchable
                required
              />
              <Select
                label="Job type"
                data={[...JOB_TYPES]}
                value={form.type}
                onChange={(v) => set('type', v ?? 'http')}
                error={errorOf('type')}
                allowDeselect={false}
              />
            </Group>
            <TextInput
              label="Description"
              value={form.description}
              onChange={(e) => set('description', e.currentTarget.value)}
            />
            <Switch
              label="Enabled (scheduled)"
              checked={form.enabled}
              onChange={(e) => set('enabled', e.currentTarget.checked)}
            />
          </Stack>
        </Paper>
        <Paper withBorder p="md">
          <Stack>
            <Title order={4}>What it runs</Title>
            <JobConfigFields
              form={form}
              setField={(key, value) => setForm((f) => ({ ...f, fields: { ...f.fields, [key]: value } }))}
              setExtra={(value) => set('extraConfig', value)}
              errorOf={errorOf}
            />
          </Stack>
        </Paper>
        <Paper withBorder p="md">
          <Stack>
            <Title order={4}>When</Title>
            <ScheduleFields form={form} set={set} errorOf={errorOf} />
            <SchedulePreview schedule={schedule} namespace={editing?.namespace} />
          </Stack>
        </Paper>
        <Paper withBorder p="md">
          <Group grow align="flex-start">
            <TextInput
              label="Timeout (seconds)"
              description="Empty for none"
              value={form.timeoutSeconds}
              onChange={(e) => set('timeoutSeconds', e.currentTarget.value)}
              error={errorOf('timeoutSeconds')}
            />
            <TextInput
              label="Attempts"
              description="1 means no retry"
              value={form.maxAttempts}
              onChange={(e) => set('maxAttempts', e.currentTarget.value)}
              error={errorOf('retry.maxAttempts')}
            />
            <TextInput
              label="Max running at once"
              value={form.concurrencyMax}
              onChange={(e) => set('concurrencyMax', e.currentTarget.value)}
              error={errorOf('concurrency.max')}
            />
            <Select
              label="When busy"
              data={['skip', 'queue', 'replace', 'allow']}
              value={form.overlap}
              onChange={(v) => set('overlap', (v ?? 'skip') as TaskFormState['overlap'])}
              allowDeselect={false}
            />
          </Group>
        </Paper>
        <Paper withBorder p="md">
          <MultiSelect
            label="Child tasks"
            description="Run once each when a run of this task succeeds (after its retries)"
            placeholder={childChoices.length === 0 ? 'No other task yet' : 'Pick tasks by name'}
            data={childChoices}
            value={form.childTaskIds}
            onChange={(v) => set('childTaskIds', v)}
            error={childrenError}
            searchable
            clearable
          />
        </Paper>
        {shownProblem ? (
          <Alert color="red" title="The server refused this task" role="alert">
            {shownProblem.message}
          </Alert>
        ) : null}
        {notes.length > 0 ? (
          <Alert color="blue" title="Check">
            {notes.join(' ')}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => check.mutate()} loading={check.isPending}>
            Check
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? 'Save task' : 'Create task'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Errors on a field the form shows are displayed there; the rest above the buttons. */
function isShownOnField(field: string | undefined, form: TaskFormState): boolean {
  if (field === undefined) return false;
  const shown = ['name', 'app', 'type', 'timeoutSeconds', 'retry.maxAttempts', 'concurrency.max', 'config'];
  const schedule = ['expression', 'intervalSeconds', 'delaySeconds', 'at', 'timezone', 'calendar.id'];
  if (shown.includes(field) || schedule.some((f) => field === `schedule.${f}`)) return true;
  if (field.startsWith('childTaskIds')) return true;
  const key = field.startsWith('config.') ? field.slice('config.'.length) : undefined;
  return key !== undefined && (FIELDS_OF_TYPE[form.type] ?? []).includes(key);
}
