/** A run's status (a rowid lookup), read by admission inside its transaction. */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteRunStatus(db: BetterSqlite3.Database): (runId: number) => string | undefined {
  const select = db.prepare('SELECT status FROM runs WHERE id = ?').pluck();
  return (runId) => select.get(runId) as string | undefined;
}
