/** The claimed tasks' next fires, one statement over arrays, on the rows the claim holds locked. */
import type { Queryable } from '../postgres-queryable.js';

export async function setNextFireAts(
  client: Queryable,
  taskIds: number[],
  nextFireAts: (number | null)[],
): Promise<void> {
  await client.query(
    `UPDATE tasks AS t SET next_fire_at = v.next_fire_at
     FROM unnest($1::bigint[], $2::bigint[]) AS v(id, next_fire_at) WHERE t.id = v.id`,
    [taskIds, nextFireAts],
  );
}
