/**
 * The running runs of a task or of an app. Admission reads each once inside its transaction and
 * keeps the count up to date as it starts runs: nothing else can change it before the commit.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { ACTIVE_RUN } from '../../active-runs.js';

export function sqliteCountRunning(
  db: BetterSqlite3.Database,
  of: 'task_id' | 'app_id',
): (id: number) => number {
  const count = db.prepare(countRunningSql(of)).pluck();
  return (id) => count.get(id) as number;
}

/** ACTIVE_RUN as well: the count reads the active-run index of the task or app, not their history. */
export function countRunningSql(of: 'task_id' | 'app_id'): string {
  return `SELECT count(*) FROM runs WHERE ${of} = ? AND ${ACTIVE_RUN} AND status = 'running'`;
}
