/** One budget: a bar of the share used, what is used and left, and when it resets. */
import { Group, Progress, Stack, Text } from '@mantine/core';
import type { BudgetState } from '@kairos/protocol';
import { Time } from '../../ui/time.js';

const PER = { hour: 'hour', day: 'day', month: 'month' } as const;

export function budgetFigures(b: BudgetState): string {
  const parts: string[] = [];
  if (b.budget.tokens !== undefined)
    parts.push(`${b.used.tokens.toLocaleString()} of ${b.budget.tokens.toLocaleString()} tokens`);
  if (b.budget.cost !== undefined)
    parts.push(`${b.used.cost} of ${b.budget.cost} ${b.budget.currency ?? ''}`.trim());
  return parts.join(' · ');
}

export function BudgetMeter({ budget }: { budget: BudgetState }) {
  const percent = Math.round(budget.fraction * 100);
  const color = budget.exceeded ? 'red' : percent >= 80 ? 'orange' : 'teal';
  return (
    <Stack gap={4} aria-label={`budget of ${budget.scope.kind} ${budget.scope.name}`}>
      <Group justify="space-between" gap="xs">
        <Text size="sm">
          {budgetFigures(budget)} per {PER[budget.budget.period]}
        </Text>
        <Text size="sm" fw={600} c={color}>
          {percent} %
          {budget.exceeded
            ? ` · used up: new runs ${budget.budget.onExceeded === 'hold' ? 'held' : 'skipped'}`
            : ''}
        </Text>
      </Group>
      <Progress value={Math.min(100, percent)} color={color} />
      <Text size="xs" c="dimmed">
        Resets <Time iso={budget.resetsAt} /> (periods in {budget.budget.timezone}) · when used up:{' '}
        {budget.budget.onExceeded}
        {budget.budget.stopWhenExceeded ? ', running Dify runs stopped' : ''}
      </Text>
    </Stack>
  );
}
