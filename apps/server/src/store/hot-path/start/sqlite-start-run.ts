/**
 * Starts a run: `status = 'scheduled'` in the WHERE makes a run cancelled (or started) meanwhile
 * report false and stay as it is. Atomic by itself; the start's and admission's transactions
 * (sqlite-hot-path.ts) run it with what must commit with it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { StartRequest } from '../../store.js';

export function sqliteStartRun(db: BetterSqlite3.Database): (start: StartRequest) => boolean {
  const update = db.prepare(
    `UPDATE runs SET status = 'running', started_at = @startedAt, executor = @executor,
       lease_owner = @leaseOwner, lease_expires_at = @leaseExpiresAt
     WHERE id = @runId AND status = 'scheduled'`,
  );
  return (start) =>
    update.run({
      runId: start.runId,
      startedAt: start.startedAt,
      executor: start.executor,
      leaseOwner: start.leaseOwner,
      leaseExpiresAt: start.leaseExpiresAt,
    }).changes === 1;
}
