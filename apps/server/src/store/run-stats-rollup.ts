/**
 * Keeps the `run_stats` rollup (migration 0008) as runs settle: the statistics endpoint reads
 * per-minute sums from it instead of scanning the run table. Called with the ids of runs that
 * just became terminal, inside the transaction that made them so (finish, skipped runs inserted
 * by the claim, runs recovered as lost), so a run is counted exactly once or not at all: a
 * finish that reports false (already terminal) never reaches this function.
 *
 * One statement per dialect: it reads the runs' final rows (status, finish minute, duration,
 * usage) and adds them to their (namespace, minute, app, task, status) rows. Rows are inserted
 * in key order, so two PostgreSQL transactions adding to the same rows wait rather than deadlock.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

const COLUMNS =
  'namespace_id, app_id, task_id, bucket_at, status, runs, tokens, cost, duration_ms, max_duration_ms';

/** Epoch ms to its minute; a run with no finish time (never: terminal runs have one) uses its slot. */
const BUCKET = '(coalesce(finished_at, scheduled_at) / 60000) * 60000';

const upsert = (tokens: string, cost: string, ids: string): string =>
  `INSERT INTO run_stats (${COLUMNS})
   SELECT namespace_id, app_id, task_id, ${BUCKET} AS bucket, status, count(*),
     coalesce(sum(${tokens}), 0), coalesce(sum(${cost}), 0), coalesce(sum(duration_ms), 0),
     coalesce(max(duration_ms), 0)
   FROM runs
   WHERE id IN (${ids}) AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'lost')
   GROUP BY namespace_id, bucket, app_id, task_id, status
   ORDER BY namespace_id, bucket, app_id, task_id, status
   ON CONFLICT (namespace_id, bucket_at, app_id, task_id, status) DO UPDATE SET
     runs = run_stats.runs + excluded.runs,
     tokens = run_stats.tokens + excluded.tokens,
     cost = run_stats.cost + excluded.cost,
     duration_ms = run_stats.duration_ms + excluded.duration_ms,
     max_duration_ms = max(run_stats.max_duration_ms, excluded.max_duration_ms)`;

const SQLITE_UPSERT = upsert(
  "CAST(json_extract(usage, '$.totalTokens') AS INTEGER)",
  "CAST(json_extract(usage, '$.totalPrice') AS REAL)",
  'SELECT value FROM json_each(?)',
);

const POSTGRES_UPSERT = upsert(
  "(usage::jsonb ->> 'totalTokens')::numeric",
  "(usage::jsonb ->> 'totalPrice')::double precision",
  'SELECT unnest($1::bigint[])',
).replace('max(run_stats.max_duration_ms', 'greatest(run_stats.max_duration_ms');

const sqliteStatements = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();

/** SQLite: synchronous, for use inside a `db.transaction(...)`. */
export function addRunsToStatsSqlite(db: BetterSqlite3.Database, runIds: readonly number[]): void {
  if (runIds.length === 0) return;
  let statement = sqliteStatements.get(db);
  if (statement === undefined) {
    statement = db.prepare(SQLITE_UPSERT);
    sqliteStatements.set(db, statement);
  }
  statement.run(JSON.stringify(runIds));
}

/** PostgreSQL: on the client that holds the finishing transaction. */
export async function addRunsToStatsPostgres(
  client: Pick<pg.PoolClient, 'query'>,
  runIds: readonly number[],
): Promise<void> {
  if (runIds.length === 0) return;
  await client.query(POSTGRES_UPSERT, [runIds]);
}
