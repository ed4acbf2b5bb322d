/** Tasks by id: recovery decides lost runs' retries and alerts from their tasks. */
import type { Selectable } from 'kysely';
import type { TasksTable } from '../../db-schema.js';
import type { Queryable } from '../postgres-queryable.js';

export async function selectTasks(client: Queryable, ids: number[]): Promise<Selectable<TasksTable>[]> {
  if (ids.length === 0) return [];
  const tasks = await client.query<Selectable<TasksTable>>(
    'SELECT * FROM tasks WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return tasks.rows;
}
