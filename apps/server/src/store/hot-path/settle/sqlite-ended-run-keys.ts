/**
 * The keys of a run just ended that the statistics rollup needs: a rowid lookup in the
 * settlement's transaction (RETURNING on the end's UPDATE measured slower).
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface EndedRunKeys {
  namespace_id: number;
  app_id: number;
  task_id: number;
  scheduled_at: number;
}

export function sqliteEndedRunKeys(db: BetterSqlite3.Database): (runId: number) => EndedRunKeys {
  const select = db.prepare('SELECT namespace_id, app_id, task_id, scheduled_at FROM runs WHERE id = ?');
  return (runId) => select.get(runId) as EndedRunKeys;
}
