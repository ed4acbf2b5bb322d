/**
 * The running runs of a task or of an app. Admission reads each once inside its transaction and
 * keeps the count up to date as it starts runs: nothing else can change it before the commit.
 */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteCountRunning(
  db: BetterSqlite3.Database,
  of: 'task_id' | 'app_id',
): (id: number) => number {
  const count = db.prepare(`SELECT count(*) FROM runs WHERE ${of} = ? AND status = 'running'`).pluck();
  return (id) => count.get(id) as number;
}
