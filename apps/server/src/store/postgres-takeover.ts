/**
 * The lease takeover of a dead node's runs on PostgreSQL, by hand. It expires the leases of every
 * run the dead node holds; the recovery that follows (recoverRuns) then adopts or loses them.
 *
 * Safe under concurrency: the runs are locked in id order (`ORDER BY id FOR NO KEY UPDATE` in a
 * MATERIALIZED CTE), like every batch in postgres-hot-path.ts, so it waits for a batch touching
 * the same runs instead of deadlocking with it; a run finished meanwhile fails the re-check of
 * `status IN ('scheduled', 'running')` and keeps its lease. Two nodes expiring the same leases
 * write the same value. A deadlock PostgreSQL still reports is retried.
 */
import type pg from 'pg';
import { isRetryableTransactionError } from './db-errors.js';

const MAX_ATTEMPTS = 3;

export async function expireLeasesOnPostgres(pool: pg.Pool, owner: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await pool.query(
        `WITH held AS MATERIALIZED (
           SELECT id FROM runs WHERE lease_owner = $1 AND status IN ('scheduled', 'running')
           ORDER BY id FOR NO KEY UPDATE
         )
         UPDATE runs AS r SET lease_expires_at = 0 FROM held WHERE r.id = held.id`,
        [owner],
      );
      return result.rowCount ?? 0;
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && isRetryableTransactionError(error)) continue;
      throw error;
    }
  }
}
