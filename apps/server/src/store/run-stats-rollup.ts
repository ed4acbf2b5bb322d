/**
 * Keeps the `run_stats` rollup (migration 0008) as runs settle: the statistics endpoint reads
 * per-minute sums from it instead of scanning the run table. Called with the ids of runs that
 * just became terminal, inside the transaction that made them so (finish, skipped runs inserted
 * by the claim, runs recovered as lost), so a run is counted exactly once or not at all: a
 * finish that reports false (already terminal) never reaches this function.
 *
 * One statement per rollup table: it reads the runs' final rows (status, finish time, duration,
 * usage) and adds them to their (namespace, minute or hour, app, task, status) rows. Rows are inserted
 * in key order, so two PostgreSQL transactions adding to the same rows wait rather than deadlock.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

const COLUMNS =
  'namespace_id, app_id, task_id, bucket_at, status, runs, tokens, cost, duration_ms, max_duration_ms';

/**
 * The rollup tables (0008): their bucket widths and whether they keep the task (the hourly
 * table sums all of an app's tasks, task_id 0, so a month of it is small whatever the task count).
 */
export const ROLLUPS = [
  { table: 'run_stats', widthMs: 60_000, perTask: true },
  { table: 'run_stats_hourly', widthMs: 3_600_000, perTask: false },
  { table: 'run_stats_daily', widthMs: 86_400_000, perTask: true },
] as const;

/** Epoch ms to its bucket; a run with no finish time (never: terminal runs have one) uses its slot. */
const bucketOf = (widthMs: number) => `(coalesce(finished_at, scheduled_at) / ${widthMs}) * ${widthMs}`;

const upsert = (rollup: (typeof ROLLUPS)[number], tokens: string, cost: string, ids: string): string => {
  const { table, widthMs, perTask } = rollup;
  const task = perTask ? 'task_id' : '0';
  return `INSERT INTO ${table} (${COLUMNS})
   SELECT namespace_id, app_id, ${task} AS task, ${bucketOf(widthMs)} AS bucket, status, count(*),
     coalesce(sum(${tokens}), 0), coalesce(sum(${cost}), 0), coalesce(sum(duration_ms), 0),
     coalesce(max(duration_ms), 0)
   FROM runs
   WHERE id IN (${ids}) AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'lost')
   GROUP BY bucket, namespace_id, app_id, task, status
   ORDER BY bucket, namespace_id, app_id, task, status
   ON CONFLICT (bucket_at, namespace_id, app_id, task_id, status) DO UPDATE SET
     runs = ${table}.runs + excluded.runs,
     tokens = ${table}.tokens + excluded.tokens,
     cost = ${table}.cost + excluded.cost,
     duration_ms = ${table}.duration_ms + excluded.duration_ms,
     max_duration_ms = max(${table}.max_duration_ms, excluded.max_duration_ms)`;
};

const SQLITE_UPSERTS = ROLLUPS.map((r) =>
  upsert(
    r,
    "CAST(json_extract(usage, '$.totalTokens') AS INTEGER)",
    "CAST(json_extract(usage, '$.totalPrice') AS REAL)",
    'SELECT value FROM json_each(?)',
  ),
);

const POSTGRES_UPSERTS = ROLLUPS.map((r) =>
  upsert(
    r,
    "(usage::jsonb ->> 'totalTokens')::numeric",
    "(usage::jsonb ->> 'totalPrice')::double precision",
    'SELECT unnest($1::bigint[])',
  ).replace(`max(${r.table}.max_duration_ms`, `greatest(${r.table}.max_duration_ms`),
);

const sqliteStatements = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement[]>();

/** SQLite: synchronous, for use inside a `db.transaction(...)`. */
export function addRunsToStatsSqlite(db: BetterSqlite3.Database, runIds: readonly number[]): void {
  if (runIds.length === 0) return;
  let statements = sqliteStatements.get(db);
  if (statements === undefined) {
    statements = SQLITE_UPSERTS.map((sql) => db.prepare(sql));
    sqliteStatements.set(db, statements);
  }
  const ids = JSON.stringify(runIds);
  for (const statement of statements) statement.run(ids);
}

/** PostgreSQL: on the client that holds the finishing transaction. */
export async function addRunsToStatsPostgres(
  client: Pick<pg.PoolClient, 'query'>,
  runIds: readonly number[],
): Promise<void> {
  if (runIds.length === 0) return;
  for (const sql of POSTGRES_UPSERTS) await client.query(sql, [runIds]);
}
