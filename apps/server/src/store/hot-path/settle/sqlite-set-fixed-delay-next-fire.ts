/**
 * A fixed-delay task's next fire, set by its run's settlement: only while the task is enabled,
 * still fixed_delay, and has none (a task changed or disabled meanwhile keeps what it has).
 */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteSetFixedDelayNextFire(
  db: BetterSqlite3.Database,
): (taskId: number, at: number) => void {
  const update = db.prepare(
    `UPDATE tasks SET next_fire_at = ?
     WHERE id = ? AND enabled = 1 AND next_fire_at IS NULL AND json_extract(schedule, '$.type') = 'fixed_delay'`,
  );
  return (taskId, at) => void update.run(at, taskId);
}
