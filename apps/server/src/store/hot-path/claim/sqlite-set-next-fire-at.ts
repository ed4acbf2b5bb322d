/** Advances a claimed task's next fire, in the claim's transaction. */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteSetNextFireAt(db: BetterSqlite3.Database): (taskId: number, at: number | null) => void {
  const update = db.prepare('UPDATE tasks SET next_fire_at = ? WHERE id = ?');
  return (taskId, at) => void update.run(at, taskId);
}
