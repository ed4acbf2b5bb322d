/** A status as a coloured badge: a run's, a node's, an alert's state or a delivery's. */
import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  succeeded: 'green',
  running: 'blue',
  scheduled: 'gray',
  queued: 'gray',
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
  firing: 'red',
  resolved: 'green',
  test: 'blue',
  pending: 'yellow',
  sent: 'green',
  paused: 'yellow',
  completed: 'green',
  invalid: 'orange',
  reused: 'teal',
};

/** The Mantine colour of a status, for whatever else shows one (a workflow run's graph). */
export const statusColor = (status: string): string => COLORS[status] ?? 'gray';

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor(status)} variant="light">
      {status.replace('_', ' ')}
    </Badge>
  );
}
