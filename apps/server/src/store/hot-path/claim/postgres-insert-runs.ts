/**
 * Inserts runs (a claim's planned slots, a settlement's retries) in one statement over arrays:
 * one round trip whatever their number, and no bound-parameter limit (a catch-up can plan
 * thousands). ON CONFLICT DO NOTHING without a target: a (task, slot) or (task, idempotency key)
 * taken already, by this statement or another node's, is skipped, and RETURNING reports only
 * the runs inserted.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import { RUN_INSERT_COLUMNS, toRunRecord, type RunColumns } from '../../row-mapping.js';
import type { RunRecord } from '../../store.js';
import type { Queryable } from '../postgres-queryable.js';

/** PostgreSQL array types for unnest, per inserted run column. */
const RUN_COLUMN_TYPES: Record<keyof RunColumns, string> = {
  task_id: 'bigint',
  app_id: 'bigint',
  namespace_id: 'bigint',
  trigger_type: 'text',
  status: 'text',
  slot_at: 'bigint',
  scheduled_at: 'bigint',
  attempt: 'integer',
  retry_of: 'bigint',
  input: 'text',
  error: 'text',
  finished_at: 'bigint',
  idempotency_key: 'text',
  lease_owner: 'text',
  lease_expires_at: 'bigint',
  priority: 'integer',
  triggered_by: 'bigint',
  workflow_run_id: 'bigint',
  workflow_node: 'text',
  workflow_item: 'integer',
  created_at: 'bigint',
  replay_of: 'bigint',
  version_pin: 'text',
};

/** The statement inserting `runs` (at least one): 23 array parameters, whatever their number. */
export function insertRunsQuery(runs: RunColumns[]): { sql: string; parameters: unknown[][] } {
  const columns = RUN_INSERT_COLUMNS;
  return {
    sql: `INSERT INTO runs (${columns.join(', ')})
     SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${RUN_COLUMN_TYPES[c]}[]`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING *`,
    parameters: columns.map((c) => runs.map((run) => run[c])),
  };
}

/** Inserts runs; one whose (task, slot) or (task, idempotency key) exists is skipped. Oldest first. */
export async function insertRuns(client: Queryable, runs: RunColumns[]): Promise<RunRecord[]> {
  if (runs.length === 0) return [];
  const { sql, parameters } = insertRunsQuery(runs);
  const result = await client.query<Selectable<RunsTable>>(sql, parameters);
  return result.rows.map(toRunRecord).sort((a, b) => a.id - b.id);
}
