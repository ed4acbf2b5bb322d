/** Renews the leases of a node's scheduled and running runs: one statement, atomic by itself. */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteRenewLeases(
  db: BetterSqlite3.Database,
): (owner: string, leaseExpiresAt: number) => number {
  const update = db.prepare(
    "UPDATE runs SET lease_expires_at = ? WHERE lease_owner = ? AND status IN ('scheduled', 'running')",
  );
  return (owner, leaseExpiresAt) => update.run(leaseExpiresAt, owner).changes;
}
