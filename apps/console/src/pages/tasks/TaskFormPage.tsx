/** /tasks/new, or /tasks/new?from=42 to clone task 42's settings into a new task. */
import { Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useClient } from '../../api/session-context.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { TaskForm } from './TaskForm.js';
import { emptyForm, formOfTask } from './task-form-state.js';

export function NewTaskPage() {
  const { from } = useSearch({ from: '/tasks/new' });
  const client = useClient();
  const source = useQuery({
    queryKey: ['task', String(from)],
    queryFn: () => client.tasks.get(from!),
    enabled: from !== undefined,
  });
  return (
    <Stack>
      <Title order={2}>{from === undefined ? 'New task' : `New task, cloned from task ${from}`}</Title>
      {from === undefined ? (
        <TaskForm initial={emptyForm()} />
      ) : source.isPending ? (
        <Loading what="the task to clone" />
      ) : source.isError ? (
        <ErrorState error={source.error} />
      ) : (
        <TaskForm key={from} initial={formOfTask(source.data, true)} />
      )}
    </Stack>
  );
}
