/**
 * A task by id, on a statement kept prepared: recovery decides a lost run's retry and alerts from
 * its task, and the store's getTask reads it here (every trigger reads its task).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { TasksTable } from '../../db-schema.js';

export function sqliteSelectTask(
  db: BetterSqlite3.Database,
): (taskId: number) => Selectable<TasksTable> | undefined {
  const select = db.prepare('SELECT * FROM tasks WHERE id = ?');
  return (taskId) => select.get(taskId) as Selectable<TasksTable> | undefined;
}
