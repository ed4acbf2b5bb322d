/**
 * Recovery adopts expired scheduled runs: SKIP LOCKED, so two nodes recovering at once split them
 * instead of both taking them; a run whose owner is renewing right now is skipped, and one renewed
 * since our snapshot fails the re-check.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import type { Queryable } from '../postgres-queryable.js';
import { LEASE_EXPIRED, type RecoverParams } from './postgres-lease-expired.js';

export async function adoptScheduledRuns(
  client: Queryable,
  p: RecoverParams,
): Promise<Selectable<RunsTable>[]> {
  const adopted = await client.query<Selectable<RunsTable>>(
    `WITH expired AS MATERIALIZED (
       SELECT id FROM runs WHERE status = 'scheduled' AND ${LEASE_EXPIRED}
       ORDER BY id FOR NO KEY UPDATE SKIP LOCKED
     )
     UPDATE runs AS r SET lease_owner = $3::text, lease_expires_at = $4::bigint
     FROM expired WHERE r.id = expired.id
     RETURNING r.*`,
    [p.now, p.includeLive, p.owner, p.leaseExpiresAt],
  );
  return adopted.rows;
}
