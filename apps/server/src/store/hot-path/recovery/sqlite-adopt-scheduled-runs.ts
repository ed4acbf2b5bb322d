/**
 * Recovery adopts scheduled runs whose lease expired (or, `includeLive`, all not ours): leased
 * to this node, returned to plan. Inside recovery's transaction, with the running runs it settles
 * lost, so both are judged on the same rows.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import { ACTIVE_RUN } from '../../active-runs.js';
import { LEASE_EXPIRED, LEASE_NOT_OURS, type RecoverParams } from './sqlite-lease-expired.js';

export function sqliteAdoptScheduledRuns(
  db: BetterSqlite3.Database,
): (params: RecoverParams, includeLive: boolean) => Selectable<RunsTable>[] {
  const adopt = (which: string) =>
    db.prepare(
      `UPDATE runs SET lease_owner = @owner, lease_expires_at = @leaseExpiresAt
       WHERE ${ACTIVE_RUN} AND status = 'scheduled' AND (${which}) RETURNING *`,
    );
  const expired = adopt(LEASE_EXPIRED);
  const notOurs = adopt(LEASE_NOT_OURS);
  return (params, includeLive) => (includeLive ? notOurs : expired).all(params) as Selectable<RunsTable>[];
}
