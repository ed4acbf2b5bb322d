/**
 * The enabled tasks due by the claim's horizon, soonest first, at most `limit`. Read inside the
 * claim's transaction (sqlite-hot-path.ts), so the slots planned from them and their advanced
 * next fire commit together and no other claim can read the same tasks in between.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { TasksTable } from '../../db-schema.js';

export function sqliteSelectDueTasks(
  db: BetterSqlite3.Database,
): (horizon: number, limit: number) => Selectable<TasksTable>[] {
  const select = db.prepare(
    'SELECT * FROM tasks WHERE enabled = 1 AND next_fire_at <= ? ORDER BY next_fire_at, id LIMIT ?',
  );
  return (horizon, limit) => select.all(horizon, limit) as Selectable<TasksTable>[];
}
