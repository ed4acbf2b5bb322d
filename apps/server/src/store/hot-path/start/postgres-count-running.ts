/**
 * The running runs of the given tasks or apps, counted under admission's advisory locks: no other
 * node can start one of theirs until our transaction ends.
 */
import type { Queryable } from '../postgres-queryable.js';

export async function countRunning(
  client: Queryable,
  column: 'task_id' | 'app_id',
  ids: number[],
): Promise<Map<number, number>> {
  const counts = new Map<number, number>(ids.map((id) => [id, 0]));
  if (ids.length === 0) return counts;
  const result = await client.query<{ key: number; n: number }>(
    `SELECT ${column} AS key, count(*) AS n FROM runs
     WHERE ${column} = ANY($1::bigint[]) AND status = 'running' GROUP BY ${column}`,
    [ids],
  );
  for (const row of result.rows) counts.set(row.key, row.n);
  return counts;
}
