/**
 * Fixed-delay tasks' next fires, set by their runs' settlement: only while a task is enabled,
 * still fixed_delay, and has none (a task changed or disabled meanwhile keeps what it has).
 */
import type { Queryable } from '../postgres-queryable.js';

export async function setFixedDelayNextFires(
  client: Queryable,
  fires: { taskId: number; at: number }[],
): Promise<void> {
  if (fires.length === 0) return;
  await client.query(
    `UPDATE tasks AS t SET next_fire_at = v.next_fire_at
     FROM unnest($1::bigint[], $2::bigint[]) AS v(id, next_fire_at)
     WHERE t.id = v.id AND t.enabled AND t.next_fire_at IS NULL
       AND (t.schedule::jsonb ->> 'type') = 'fixed_delay'`,
    [fires.map((f) => f.taskId), fires.map((f) => f.at)],
  );
}
