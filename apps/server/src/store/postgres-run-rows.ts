/**
 * The PostgreSQL hot path's multi-row writes of runs (postgres-hot-path.ts): inserting planned
 * and retry runs in one statement, and applying a batch of settlements inside the caller's
 * transaction.
 */
import type pg from 'pg';
import type { Selectable } from 'kysely';
import type { RunsTable } from './db-schema.js';
import {
  RUN_INSERT_COLUMNS,
  runColumns,
  toDurationMs,
  toJson,
  toRunRecord,
  type RunColumns,
} from './row-mapping.js';
import { addRunsToStatsPostgres } from './run-stats-rollup.js';
import type { RunRecord, SettleResult, Settlement } from './store.js';
import {
  runStepsOnPostgres,
  type SettlementAlertWrites,
  type SettlementSuccessorWrites,
} from './write-steps.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

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
  triggered_by: 'bigint',
  workflow_run_id: 'bigint',
  workflow_node: 'text',
  workflow_item: 'integer',
  created_at: 'bigint',
};

/** Inserts runs; one whose (task, slot) or (task, idempotency key) exists is skipped. Oldest first. */
export async function insertRuns(client: Queryable, runs: RunColumns[]): Promise<RunRecord[]> {
  if (runs.length === 0) return [];
  const columns = RUN_INSERT_COLUMNS;
  const result = await client.query<Selectable<RunsTable>>(
    `INSERT INTO runs (${columns.join(', ')})
     SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${RUN_COLUMN_TYPES[c]}[]`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING *`,
    columns.map((c) => runs.map((run) => run[c])),
  );
  return result.rows.map(toRunRecord).sort((a, b) => a.id - b.id);
}

/**
 * Inside a transaction: ends the runs still in their expected status, then inserts the retries,
 * sets the fixed-delay next fires and writes the alerts of those ended. Settlements name
 * distinct runs.
 */
export async function applySettlements(
  client: Queryable,
  settlements: Settlement[],
  now: number,
  alertWrites: SettlementAlertWrites,
  successorWrites: SettlementSuccessorWrites,
): Promise<Map<number, SettleResult>> {
  const results = new Map<number, SettleResult>(
    settlements.map((s) => [s.runId, { settled: false, retry: null }]),
  );
  if (settlements.length === 0) return results;
  const ended = await client.query<{ id: number }>(
    `WITH v AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
         AS v(id, expected, status, finished_at, duration_ms, output, error, usage, executor, effect_at)
     ), locked AS MATERIALIZED (
       SELECT id FROM runs WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE
     )
     UPDATE runs AS r SET status = v.status, finished_at = v.finished_at, duration_ms = v.duration_ms,
       output = v.output, error = v.error, usage = v.usage, executor = coalesce(v.executor, r.executor),
       effect_at = coalesce(v.effect_at, r.effect_at)
     FROM locked JOIN v ON v.id = locked.id
     WHERE r.id = locked.id AND r.status = v.expected
     RETURNING r.id`,
    [
      settlements.map((s) => s.runId),
      settlements.map((s) => s.expected),
      settlements.map((s) => s.end.status),
      settlements.map((s) => s.end.finishedAt),
      settlements.map((s) => toDurationMs(s.end.durationMs)),
      settlements.map((s) => toJson(s.end.output)),
      settlements.map((s) => toJson(s.end.error ?? undefined)),
      settlements.map((s) => toJson(s.end.usage ?? undefined)),
      settlements.map((s) => s.end.executor ?? null),
      settlements.map((s) => s.end.effectAt ?? null),
    ],
  );
  const endedIds = new Set(ended.rows.map((row) => Number(row.id)));
  // The statistics rollups (run-stats-rollup.ts) count each run ended, in this transaction.
  await addRunsToStatsPostgres(client, [...endedIds]);
  const applied = settlements.filter((s) => endedIds.has(s.runId));
  for (const s of applied) results.set(s.runId, { settled: true, retry: null });
  const retries = applied.filter((s) => s.retry !== null);
  const inserted = await insertRuns(
    client,
    retries.map((s) => runColumns(s.retry!, now)),
  );
  // A retry is told from others by its idempotency key (one per run and attempt).
  const byKey = new Map(inserted.map((run) => [run.idempotencyKey, run]));
  for (const s of retries) {
    const retry = byKey.get(s.retry!.idempotencyKey ?? null);
    if (retry) results.set(s.runId, { settled: true, retry });
  }
  const fires = applied.filter((s) => s.nextFire !== null).map((s) => s.nextFire!);
  if (fires.length > 0) {
    await client.query(
      `UPDATE tasks AS t SET next_fire_at = v.next_fire_at
       FROM unnest($1::bigint[], $2::bigint[]) AS v(id, next_fire_at)
       WHERE t.id = v.id AND t.enabled AND t.next_fire_at IS NULL
         AND (t.schedule::jsonb ->> 'type') = 'fixed_delay'`,
      [fires.map((f) => f.taskId), fires.map((f) => f.at)],
    );
  }
  for (const s of applied) {
    if (!s.successors) continue;
    const successors = await runStepsOnPostgres(client, successorWrites(s.successors));
    if (successors.length > 0) results.set(s.runId, { ...results.get(s.runId)!, successors });
  }
  // Alerts only where a rule watches the run: usually none, then no statement at all.
  for (const s of applied) {
    if (!s.alerts) continue;
    const { deliveries } = await runStepsOnPostgres(client, alertWrites(s.runId, s.alerts));
    if (deliveries > 0) results.set(s.runId, { ...results.get(s.runId)!, deliveries });
  }
  return results;
}
