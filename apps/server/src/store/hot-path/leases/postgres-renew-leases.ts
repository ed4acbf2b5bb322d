/**
 * Renews a node's leases. Locks the owner's runs in id order like the hot path's batches, so it
 * cannot deadlock with them.
 */
import type { Queryable } from '../postgres-queryable.js';

export async function renewLeases(client: Queryable, owner: string, leaseExpiresAt: number): Promise<number> {
  const result = await client.query(
    `WITH locked AS MATERIALIZED (
       SELECT id FROM runs WHERE lease_owner = $1 AND status IN ('scheduled', 'running')
       ORDER BY id FOR NO KEY UPDATE
     )
     UPDATE runs AS r SET lease_expires_at = $2 FROM locked WHERE r.id = locked.id`,
    [owner, leaseExpiresAt],
  );
  return result.rowCount ?? 0;
}
