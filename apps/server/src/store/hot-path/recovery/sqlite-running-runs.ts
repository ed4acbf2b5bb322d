/**
 * The running runs recovery settles lost: lease expired (or, `includeLive`, not ours), by id.
 * Read inside recovery's transaction, so none can end or renew between the read and the
 * settlement.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import { ACTIVE_RUN } from '../../active-runs.js';
import { LEASE_EXPIRED, LEASE_NOT_OURS, type RecoverParams } from './sqlite-lease-expired.js';

export function sqliteRunningRuns(
  db: BetterSqlite3.Database,
): (params: RecoverParams, includeLive: boolean) => Selectable<RunsTable>[] {
  const running = (which: string) =>
    db.prepare(`SELECT * FROM runs WHERE ${ACTIVE_RUN} AND status = 'running' AND (${which}) ORDER BY id`);
  const expired = running(LEASE_EXPIRED);
  const notOurs = running(LEASE_NOT_OURS);
  return (params, includeLive) => (includeLive ? notOurs : expired).all(params) as Selectable<RunsTable>[];
}
