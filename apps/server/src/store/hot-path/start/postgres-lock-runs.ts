/**
 * Admission's runs, locked in id order (two batches wait for each other instead of deadlocking)
 * and read on their newest version after any wait: only those still `scheduled` may start.
 */
import type { Queryable } from '../postgres-queryable.js';

export async function lockRuns(
  client: Queryable,
  runIds: number[],
): Promise<{ id: number; status: string }[]> {
  const runs = await client.query<{ id: number; status: string }>(
    'SELECT id, status FROM runs WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE',
    [runIds],
  );
  return runs.rows;
}
