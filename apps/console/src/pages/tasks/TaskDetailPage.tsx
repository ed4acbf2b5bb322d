/** One task: its settings, next fires, recent runs, and the actions (run once, enable, edit, clone, delete). */
import { Button, Code, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { Task } from '@kairos/protocol';
import { ButtonLink } from '../../ui/links.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { JsonView } from '../../ui/JsonView.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { formatInZone } from '../../ui/time.js';
import { RunTable } from '../runs/RunTable.js';
import { RunOnceModal } from './RunOnceModal.js';
import { StartBatchButton } from '../batches/StartBatchModal.js';
import { TaskBudgetPanel } from '../budgets/TaskBudgetPanel.js';
import { TaskForm } from './TaskForm.js';
import { formOfTask } from './task-form-state.js';

export function TaskDetailPage() {
  const { id } = useParams({ from: '/tasks/$id' });
  const { edit } = useSearch({ from: '/tasks/$id' });
  const client = useClient();
  const task = useQuery({ queryKey: ['task', id], queryFn: () => client.tasks.get(id) });
  if (task.isPending) return <Loading what="the task" />;
  if (task.isError) return <ErrorState error={task.error} />;
  if (edit) {
    return (
      <Stack>
        <Title order={2}>Edit {task.data.name}</Title>
        <TaskForm key={task.data.updatedAt} initial={formOfTask(task.data, false)} editing={task.data} />
      </Stack>
    );
  }
  return <TaskDetail task={task.data} />;
}

function TaskDetail({ task }: { task: Task }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [running, setRunning] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['task', String(task.id)] });
  const toggle = useMutation({
    mutationFn: () => (task.enabled ? client.tasks.disable(task.id) : client.tasks.enable(task.id)),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => client.tasks.delete(task.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
      await navigate({ to: '/tasks', search: {} });
    },
  });
  const fires = useQuery({
    queryKey: ['task-fires', task.id, task.updatedAt],
    queryFn: () => client.tasks.nextFires(task.id, { count: 5 }),
    enabled: task.enabled && task.schedule.type !== 'api',
  });
  const runs = useQuery({
    queryKey: ['runs', { taskId: task.id, limit: 10 }],
    queryFn: () => client.runs.list({ taskId: task.id, limit: 10 }),
    refetchInterval: 5_000,
  });
  const zone = task.schedule.timezone;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{task.name}</Title>
        <Group>
          <Button onClick={() => setRunning(true)}>Run once</Button>
          <StartBatchButton task={task} />
          <Button variant="light" onClick={() => toggle.mutate()} loading={toggle.isPending}>
            {task.enabled ? 'Disable' : 'Enable'}
          </Button>
          <ButtonLink
            variant="light"
            to="/tasks/$id"
            params={{ id: String(task.id) }}
            search={{ edit: true }}
          >
            Edit
          </ButtonLink>
          <ButtonLink variant="light" to="/tasks/new" search={{ from: task.id }}>
            Clone
          </ButtonLink>
          <ConfirmButton
            label="Delete"
            variant="light"
            question={`Delete task ${task.name} and all its run history? This cannot be undone.`}
            onConfirm={() => remove.mutate()}
            loading={remove.isPending}
          />
        </Group>
      </Group>
      <RunOnceModal task={task} opened={running} onClose={() => setRunning(false)} />
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Stack gap={6}>
            <Text size="sm">
              <b>App</b> {task.appName} · <b>Type</b> {task.type} ·{' '}
              <b>{task.enabled ? 'Enabled' : 'Disabled'}</b>
            </Text>
            <Text size="sm">
              <b>Schedule</b>{' '}
              <Code>{task.schedule.type === 'cron' ? task.schedule.expression : task.schedule.type}</Code> in{' '}
              {zone}
            </Text>
            <Text size="sm">
              <b>Next fire</b> {task.nextFireAt ? formatInZone(task.nextFireAt, zone) : '—'}
            </Text>
            <Text size="sm">
              <b>Timeout</b> {task.timeoutSeconds ?? 'none'} · <b>Attempts</b> {task.retry.maxAttempts} ·{' '}
              <b>Concurrency</b> {task.concurrency.max} ({task.concurrency.overlap} when busy)
            </Text>
            {task.description ? <Text size="sm">{task.description}</Text> : null}
          </Stack>
        </Paper>
        <Paper withBorder p="md">
          <Text size="sm" fw={600}>
            Next fires ({zone})
          </Text>
          {fires.data ? (
            fires.data.fires.map((f) => (
              <Text size="sm" key={f}>
                {formatInZone(f, zone)}
              </Text>
            ))
          ) : (
            <Text size="sm" c="dimmed">
              {task.schedule.type === 'api' ? 'Runs only when triggered.' : task.enabled ? '…' : 'Disabled.'}
            </Text>
          )}
        </Paper>
      </SimpleGrid>
      <TaskBudgetPanel task={task} />
      <Paper withBorder p="md">
        <Text size="sm" fw={600} mb="xs">
          Config
        </Text>
        <JsonView value={task.config} expanded />
      </Paper>
      <Group justify="space-between">
        <Title order={3}>Recent runs</Title>
        <Group gap="xs">
          <ButtonLink variant="subtle" to="/alert-rules" search={{ taskId: task.id }}>
            Alert rules for this task
          </ButtonLink>
          <ButtonLink variant="subtle" to="/runs" search={{ taskId: task.id }}>
            All runs of this task
          </ButtonLink>
        </Group>
      </Group>
      {runs.isError ? (
        <ErrorState error={runs.error} />
      ) : runs.data ? (
        <RunTable runs={runs.data.items} taskNames={new Map([[task.id, task.name]])} />
      ) : (
        <Loading what="runs" />
      )}
    </Stack>
  );
}
