/**
 * The expired running runs recovery settles lost, locked (SKIP LOCKED, as for adoption) until
 * recovery's transaction settles them with their retries.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import type { Queryable } from '../postgres-queryable.js';
import { LEASE_EXPIRED, type RecoverParams } from './postgres-lease-expired.js';

export async function lockRunningRuns(client: Queryable, p: RecoverParams): Promise<Selectable<RunsTable>[]> {
  const running = await client.query<Selectable<RunsTable>>(
    `SELECT * FROM runs WHERE status = 'running' AND ${LEASE_EXPIRED}
     ORDER BY id FOR NO KEY UPDATE SKIP LOCKED`,
    [p.now, p.includeLive, p.owner],
  );
  return running.rows;
}
