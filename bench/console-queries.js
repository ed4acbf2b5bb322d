// The console's heaviest reads with 1,000,000 runs (or --runs, e.g. 10,000,000) in a SQLite store:
// GET /api/v1/stats/runs (dashboard ranges 1 h, 24 h, 7 d, 30 d), the execution list's first page
// (no filter, by status, by task) and a run's details. Runs are written straight into the database for speed (finished over the
// last 30 days, 200 tasks in 2 apps, 90% succeeded), and the rollups are filled by the server's
// own rollup function over them, as the finish transaction would. Prints one JSON line
// with the median and p95 round trip of each request on loopback (server time plus ~1 ms).
// With --database-url, the same on PostgreSQL (in a schema of its own, kairos_bench).
//   node bench/console-queries.js [--runs 1000000] [--tasks 200] [--samples 20] [--database-url URL]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { ConfigSchema, startKairos } from '../apps/server/dist/index.js';
import { openStore } from '../apps/server/dist/store/open-store.js';
import { addRunsToStatsPostgres, addRunsToStatsSqlite } from '../apps/server/dist/store/run-stats-rollup.js';
import { ADMIN_TOKEN, flags, percentile, resetPostgres, round } from './support.js';

const opts = flags();
const runCount = Number(opts.runs ?? 1_000_000);
const taskCount = Number(opts.tasks ?? 200);
const samples = Number(opts.samples ?? 20);
const dataDir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));
const databaseUrl = opts['database-url'] ? await resetPostgres(opts['database-url']) : undefined;
const DAY = 86_400_000;

// ------------------------------------------------------------------ catalog through the store
const store = await openStore({ dataDir, databaseUrl });
const ns = await store.ensureNamespace('default');
const apps = [];
for (const name of ['billing', 'reports']) {
  apps.push(
    await store.createApp({
      namespaceId: ns.id,
      appName: name,
      name,
      description: null,
      maxConcurrency: null,
      accessTokenHash: name.padEnd(64, '0'),
      accessTokenHint: '0000',
    }),
  );
}
const tasks = [];
for (let i = 0; i < taskCount; i++) {
  const app = apps[i % apps.length];
  tasks.push(
    await store.createTask({
      namespaceId: ns.id,
      appId: app.id,
      name: `task-${i}`,
      description: null,
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: {
        type: 'api',
        timezone: 'UTC',
        dstGap: 'shift',
        misfire: { policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 },
      },
      timeoutSeconds: null,
      retry: { maxAttempts: 1, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 },
      concurrency: { max: 1, overlap: 'skip' },
      enabled: false,
      nextFireAt: null,
    }),
  );
}
await store.close();

// ------------------------------------------------------------------ 1,000,000 runs, by hand
const now = Date.now();
const start = now - 30 * DAY;
const { insertMs, rollupMs, rollupRows } = databaseUrl ? await fillPostgres() : fillSqlite();

// ------------------------------------------------------------------ the real server, timed
const config = ConfigSchema.parse({
  port: 0,
  dataDir,
  databaseUrl,
  adminToken: ADMIN_TOKEN,
  logLevel: 'error',
  // The runs reach back 30 days: nothing is pruned while the reads are timed.
  retentionDays: 0,
});
const node = await startKairos({ config, logger: pino({ level: 'error' }) });
const time = async (path) => {
  const took = [];
  for (let i = 0; i < samples + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
    if (i >= 3) took.push(performance.now() - t0);
  }
  took.sort((a, b) => a - b);
  return { medianMs: round(percentile(took, 50)), p95Ms: round(percentile(took, 95)) };
};
const iso = (ms) => new Date(ms).toISOString();
const results = {};
for (const [label, range] of [
  ['1h', 3_600_000],
  ['24h', DAY],
  ['7d', 7 * DAY],
  ['30d', 30 * DAY],
]) {
  results[`stats ${label}`] = await time(`/api/v1/stats/runs?from=${iso(now - range)}&to=${iso(now)}`);
}
results['stats 30d, one app'] = await time(
  `/api/v1/stats/runs?app=billing&from=${iso(now - 30 * DAY)}&to=${iso(now)}`,
);
results['stats 7d, one task'] = await time(
  `/api/v1/stats/runs?task=${tasks[7].id}&from=${iso(now - 7 * DAY)}&to=${iso(now)}`,
);
results['runs first page'] = await time('/api/v1/runs?limit=50');
results['runs first page, status=failed'] = await time('/api/v1/runs?limit=50&status=failed');
results['runs first page, namespace+status'] = await time(
  '/api/v1/runs?limit=50&namespace=default&status=failed,timed_out',
);
const { items } = await (
  await fetch(`${node.url}/api/v1/runs?limit=1&taskId=${tasks[3].id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
).json();
results["a run's details"] = await time(`/api/v1/runs/${items[0].id}`);
results['runs first page, one task'] = await time(`/api/v1/runs?limit=50&taskId=${tasks[7].id}`);
results['runs first page, one app, 7d'] = await time(
  `/api/v1/runs?limit=50&appId=${apps[0].id}&from=${iso(now - 7 * DAY)}`,
);
await node.stop(0);
const databaseMB = databaseUrl
  ? await postgresMB()
  : round(statSync(join(dataDir, 'kairos.db')).size / 1048576, 0);
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'console-queries',
    store: databaseUrl ? 'postgres' : 'sqlite',
    runs: runCount,
    tasks: taskCount,
    insertSeconds: round(insertMs / 1000, 1),
    rollupSeconds: round(rollupMs / 1000, 1),
    rollupRows,
    // The whole database with the runs, rollups and indexes: the disk a history of this size takes.
    databaseMB,
    samples,
    results,
  }),
);

function fillSqlite() {
  const db = new Database(join(dataDir, 'kairos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `INSERT INTO runs (task_id, app_id, namespace_id, trigger_type, status, slot_at, scheduled_at,
     started_at, finished_at, duration_ms, attempt, input, output, error, usage, created_at)
   VALUES (?, ?, ?, 'schedule', ?, ?, ?, ?, ?, ?, 1, NULL, NULL, ?, ?, ?)`,
  );
  const step = (30 * DAY) / runCount;
  const statusOf = (i) => {
    const r = i % 100;
    return r < 90 ? 'succeeded' : r < 96 ? 'failed' : r < 98 ? 'timed_out' : r < 99 ? 'skipped' : 'cancelled';
  };
  const insertStarted = performance.now();
  const BATCH = 10_000;
  const insertBatch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const task = tasks[i % tasks.length];
      const scheduledAt = Math.floor(start + i * step);
      const duration = 50 + ((i * 7919) % 5000);
      const status = statusOf(i);
      const usage =
        i % 3 === 0
          ? JSON.stringify({ totalTokens: 500 + (i % 700), totalPrice: 0.0002, currency: 'USD' })
          : null;
      const error = status === 'succeeded' ? null : JSON.stringify({ type: status, message: status });
      insert.run(
        task.id,
        task.appId,
        ns.id,
        status,
        scheduledAt,
        scheduledAt,
        scheduledAt,
        scheduledAt + duration,
        duration,
        error,
        usage,
        scheduledAt,
      );
    }
  });
  for (let i = 0; i < runCount; i += BATCH) insertBatch(i, Math.min(runCount, i + BATCH));
  const insertMs = performance.now() - insertStarted;

  const rollupStarted = performance.now();
  const firstId = db.prepare('SELECT min(id) FROM runs').pluck().get();
  const settledRuns = db.prepare(
    `SELECT namespace_id, app_id, task_id, status, finished_at, scheduled_at, duration_ms, usage
   FROM runs WHERE id >= ? AND id < ?`,
  );
  // The runs as the finish transaction hands them to the rollup.
  const rollup = db.transaction((from, to) =>
    addRunsToStatsSqlite(
      db,
      settledRuns.all(from, to).map((r) => ({
        namespaceId: r.namespace_id,
        appId: r.app_id,
        taskId: r.task_id,
        status: r.status,
        finishedAt: r.finished_at,
        scheduledAt: r.scheduled_at,
        durationMs: r.duration_ms,
        usage: r.usage === null ? null : JSON.parse(r.usage),
      })),
    ),
  );
  for (let id = firstId; id < firstId + runCount; id += BATCH)
    rollup(id, Math.min(id + BATCH, firstId + runCount));
  const rollupMs = performance.now() - rollupStarted;
  const rollupRows = db.prepare('SELECT count(*) FROM run_stats').pluck().get();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { insertMs, rollupMs, rollupRows };
}

/** The same runs on PostgreSQL: one INSERT … SELECT over generate_series, then the rollup by id. */
async function fillPostgres() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const insertStarted = performance.now();
  await client.query(
    `INSERT INTO runs (task_id, app_id, namespace_id, trigger_type, status, slot_at, scheduled_at,
       started_at, finished_at, duration_ms, attempt, error, usage, created_at)
     SELECT task_ids[i % $4 + 1], app_ids[i % $4 + 1], $3, 'schedule', st, sa, sa, sa, sa + d, d, 1,
       CASE WHEN st <> 'succeeded' THEN json_build_object('type', st, 'message', st)::text END,
       CASE WHEN i % 3 = 0 THEN json_build_object('totalTokens', 500 + i % 700, 'totalPrice', 0.0002, 'currency', 'USD')::text END,
       sa
     FROM generate_series(0, $1::bigint - 1) AS i,
       LATERAL (SELECT ($5::bigint + floor(i * $2::float8))::bigint AS sa, 50 + (i * 7919) % 5000 AS d,
         CASE WHEN i % 100 < 90 THEN 'succeeded' WHEN i % 100 < 96 THEN 'failed' WHEN i % 100 < 98 THEN 'timed_out'
              WHEN i % 100 < 99 THEN 'skipped' ELSE 'cancelled' END AS st) AS v,
       (SELECT $6::bigint[] AS task_ids, $7::bigint[] AS app_ids) AS ids`,
    [
      runCount,
      (30 * DAY) / runCount,
      ns.id,
      tasks.length,
      start,
      tasks.map((t) => t.id),
      tasks.map((t) => t.appId),
    ],
  );
  const insertMs = performance.now() - insertStarted;
  const rollupStarted = performance.now();
  const { rows } = await client.query('SELECT min(id)::bigint AS first FROM runs');
  const first = Number(rows[0].first);
  const BATCH = 50_000;
  for (let id = first; id < first + runCount; id += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, first + runCount - id) }, (_, k) => id + k);
    await addRunsToStatsPostgres(client, ids);
  }
  await client.query('VACUUM ANALYZE');
  const rollupMs = performance.now() - rollupStarted;
  const count = await client.query('SELECT count(*)::int AS n FROM run_stats');
  await client.end();
  return { insertMs, rollupMs, rollupRows: count.rows[0].n };
}

/** The size of the bench's schema on PostgreSQL (tables with their indexes and TOAST). */
async function postgresMB() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query(
    `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
  );
  await client.end();
  return round(Number(rows[0].bytes) / 1048576, 0);
}
