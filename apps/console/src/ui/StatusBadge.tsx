/** A run's (or a node's) status as a coloured badge. */
import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  succeeded: 'green',
  running: 'blue',
  scheduled: 'gray',
  failed: 'red',
  timed_out: 'orange',
  cancelled: 'gray',
  skipped: 'yellow',
  lost: 'grape',
  exception: 'orange',
  stopped: 'gray',
  live: 'green',
  dead: 'red',
  removed: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light">
      {status.replace('_', ' ')}
    </Badge>
  );
}
