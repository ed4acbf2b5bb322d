/**
 * The claim's due tasks: `FOR NO KEY UPDATE SKIP LOCKED` hands each due task to one node; another
 * node skips it rather than waiting, and if it reads the row only after our commit, the re-check
 * sees the advanced next_fire_at and drops it. Run inside the claim's transaction, which holds
 * the locks until the planned runs and the new next fires commit.
 */
import type { Selectable } from 'kysely';
import type { TasksTable } from '../../db-schema.js';
import type { Queryable } from '../postgres-queryable.js';

export async function selectDueTasks(
  client: Queryable,
  horizon: number,
  limit: number,
): Promise<Selectable<TasksTable>[]> {
  const due = await client.query<Selectable<TasksTable>>(
    `SELECT * FROM tasks WHERE enabled AND next_fire_at <= $1
     ORDER BY next_fire_at, id LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED`,
    [horizon, limit],
  );
  return due.rows;
}
