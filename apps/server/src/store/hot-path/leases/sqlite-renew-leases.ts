/** Renews the leases of a node's scheduled and running runs: one statement, atomic by itself. */
import type BetterSqlite3 from 'better-sqlite3';
import { ACTIVE_RUN } from '../../active-runs.js';

/** ACTIVE_RUN: the node's runs are found in the active-run index, not among all it ever ran. */
export const RENEW_LEASES_SQL = `UPDATE runs SET lease_expires_at = ? WHERE lease_owner = ? AND ${ACTIVE_RUN}`;

export function sqliteRenewLeases(
  db: BetterSqlite3.Database,
): (owner: string, leaseExpiresAt: number) => number {
  const update = db.prepare(RENEW_LEASES_SQL);
  return (owner, leaseExpiresAt) => update.run(leaseExpiresAt, owner).changes;
}
