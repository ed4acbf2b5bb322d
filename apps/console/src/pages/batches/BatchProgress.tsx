/** A batch's progress as a bar (done, failed, invalid, cancelled) and its counts. */
import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import type { Batch } from '@kairos/protocol';

export function BatchProgressBar({ batch, size = 'md' }: { batch: Batch; size?: 'sm' | 'md' | 'lg' }) {
  const p = batch.progress;
  const pct = (n: number) => (p.total === 0 ? 0 : (n / p.total) * 100);
  const sections = [
    { value: pct(p.done), color: 'green', label: `${p.done} done` },
    { value: pct(p.failed), color: 'red', label: `${p.failed} failed` },
    { value: pct(p.invalid), color: 'orange', label: `${p.invalid} invalid` },
    { value: pct(p.cancelled), color: 'gray', label: `${p.cancelled} cancelled` },
    { value: pct(p.running), color: 'blue', label: `${p.running} running` },
  ];
  return (
    <Progress.Root size={size} aria-label={`batch ${batch.id} progress`}>
      {sections
        .filter((s) => s.value > 0)
        .map((s) => (
          <Tooltip key={s.color} label={s.label}>
            <Progress.Section value={s.value} color={s.color} />
          </Tooltip>
        ))}
    </Progress.Root>
  );
}

export function BatchCounts({ batch }: { batch: Batch }) {
  const p = batch.progress;
  return (
    <Stack gap={4}>
      <BatchProgressBar batch={batch} size="lg" />
      <Group gap="lg">
        <Text size="sm">
          <b>{p.done}</b> / {p.total} done
        </Text>
        <Text size="sm" c={p.failed > 0 ? 'red' : undefined}>
          <b>{p.failed}</b> failed
        </Text>
        {p.invalid > 0 ? (
          <Text size="sm" c="orange">
            <b>{p.invalid}</b> invalid
          </Text>
        ) : null}
        {p.cancelled > 0 ? (
          <Text size="sm">
            <b>{p.cancelled}</b> cancelled
          </Text>
        ) : null}
        <Text size="sm">
          <b>{p.running}</b> running
        </Text>
        <Text size="sm">
          <b>{p.left}</b> left
        </Text>
      </Group>
    </Stack>
  );
}
