/** The budget panel of a task's page: its own budget and the pool it waits for, when it has them. */
import { Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Task } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { ErrorState } from '../../ui/states.js';
import { BudgetMeter } from './BudgetMeter.js';

export function TaskBudgetPanel({ task }: { task: Task }) {
  const client = useClient();
  const budgets = useQuery({
    queryKey: ['budgets', task.namespace, { taskId: task.id }],
    queryFn: () => client.budgets.list({ namespace: task.namespace, taskId: task.id }),
    enabled: Boolean(task.budget),
    refetchInterval: 15_000,
  });
  if (!task.budget && !task.pool) return null;
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Budget and pacing
        </Text>
        {task.pool ? (
          <Text size="sm">
            <b>Pool</b> {task.pool} · <b>Priority</b> {task.priority ?? 0}
          </Text>
        ) : null}
        {budgets.isError ? <ErrorState error={budgets.error} /> : null}
        {budgets.data?.items.map((b) => (
          <BudgetMeter key={`${b.scope.kind}${b.scope.id}`} budget={b} />
        ))}
      </Stack>
    </Paper>
  );
}
