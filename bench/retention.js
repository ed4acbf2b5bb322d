// Does pruning run history disturb firing, and does the SQLite file stop growing? A node fires
// `--tasks` http tasks every second while phases alternate, in one run: pruner off, pruner on
// (passes back to back), off, on… Each task keeps its newest 20 runs (the namespace's retention),
// so with the pruner on the history is at a steady size; an "archive" task starts with
// `--old-runs` finished runs 40 days old for the first pruning phases to chew through. Prints the
// lateness of each phase (run:started − slot), the runs pruned, and the database size at its end
// (SQLite: the file and its WAL, in MB; PostgreSQL: the schema's tables with their indexes).
//   node bench/retention.js [--tasks 500] [--phase-seconds 10] [--phases 4] [--old-runs 200000]
//                           [--database-url URL]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { RunPruner } from '../apps/server/dist/retention/run-pruner.js';
import { systemClock } from '../apps/server/dist/clock.js';
import { flags, percentile, resetPostgres, round, sleep, startNode, startNoopTarget } from './support.js';

const opts = flags();
const tasks = Number(opts.tasks ?? 500);
const phaseSeconds = Number(opts['phase-seconds'] ?? 10);
const phases = Number(opts.phases ?? 4);
const oldRuns = Number(opts['old-runs'] ?? 200_000);
const databaseUrl = opts['database-url'] && (await resetPostgres(opts['database-url']));
const DAY = 86_400_000;

const target = await startNoopTarget();
// The built-in pruner stays idle (no default retention); the bench drives its own.
const kairos = await startNode(databaseUrl, { retentionDays: 0, pruneIntervalSeconds: 86_400 });
const { store } = kairos.node;
await kairos.api('POST', '/api/v1/apps', { appName: 'bench', name: 'Bench' });
const archive = await kairos.api('POST', '/api/v1/tasks', {
  name: 'archive',
  app: 'bench',
  type: 'http',
  config: { url: target.url },
  schedule: { type: 'api' },
});
await seedOldRuns(await store.getTask(archive.id));
for (let i = 0; i < tasks; i++) {
  await kairos.api('POST', '/api/v1/tasks', {
    name: `every second ${i}`,
    app: 'bench',
    type: 'http',
    config: { url: target.url },
    schedule: { type: 'cron', expression: '* * * * * ?' },
    concurrency: { max: 1, overlap: 'skip' },
  });
}
await kairos.api('PUT', '/api/v1/namespaces/default/retention', { keepDays: 30, keepRunsPerTask: 20 });
const pruner = new RunPruner({
  store,
  clock: systemClock,
  logger: pino({ level: 'error' }),
  defaults: { keepDays: 0, keepRunsPerTask: 0, keepLogsDays: 0 },
  batchSize: 200,
  intervalMs: 86_400_000,
  ...(databaseUrl ? {} : { whenClear: () => kairos.latency.share.whenClear() }),
});

let phase;
kairos.node.events.on('run:started', ({ run }) => {
  if (phase && run.scheduledAt >= phase.from && run.scheduledAt < phase.to)
    phase.lateness.push(Date.now() - run.scheduledAt);
});
const results = [];
let from = Math.ceil(Date.now() / 1000) * 1000 + 2000;
for (let p = 0; p < phases; p++) {
  const pruning = p % 2 === 1;
  phase = { from, to: from + phaseSeconds * 1000, lateness: [] };
  await sleep(phase.from - Date.now());
  let pruned = 0;
  let passes = 0;
  while (Date.now() < phase.to) {
    if (!pruning) {
      await sleep(phase.to - Date.now());
      break;
    }
    const report = await pruner.pruneOnce();
    pruned += report.runs;
    passes++;
    await sleep(100);
  }
  await sleep(1500); // the phase's last runs start
  phase.lateness.sort((a, b) => a - b);
  results.push({
    pruner: pruning ? 'on' : 'off',
    startedRuns: phase.lateness.length,
    expectedRuns: tasks * phaseSeconds,
    latenessMs: {
      p50: round(percentile(phase.lateness, 50)),
      p99: round(percentile(phase.lateness, 99)),
      max: round(phase.lateness.at(-1) ?? null),
    },
    pruned,
    passes,
    databaseMB: await databaseMB(),
  });
  // The next phase from a whole second after this one really ended (a pass may outlast it).
  from = Math.ceil(Math.max(phase.to, Date.now()) / 1000) * 1000 + 1000;
}
await kairos.stop();
target.stop();
console.log(
  JSON.stringify({
    bench: 'retention',
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks,
    oldRuns,
    phases: results,
  }),
);
process.exit(0);

/** `oldRuns` finished runs of the archive task, 40 days old, written straight into the database. */
async function seedOldRuns(task) {
  const at = Date.now() - 40 * DAY;
  const columns = `task_id, app_id, namespace_id, trigger_type, status, scheduled_at, started_at,
    finished_at, duration_ms, attempt, created_at`;
  if (databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      `INSERT INTO runs (${columns}) SELECT $1, $2, $3, 'api', 'succeeded', $4 + i, $4 + i, $4 + i + 5, 5, 1, $4 + i
       FROM generate_series(0, $5::bigint - 1) AS i`,
      [task.id, task.appId, task.namespaceId, at, oldRuns],
    );
    await client.end();
    return;
  }
  // A second connection on the node's file, for the seed only (WAL: the node keeps working).
  const db = new Database(join(kairos.dataDir, 'kairos.db'));
  db.prepare(
    `WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?)
     INSERT INTO runs (${columns}) SELECT ?, ?, ?, 'api', 'succeeded', ? + n, ? + n, ? + n + 5, 5, 1, ? + n FROM i`,
  ).run(oldRuns, task.id, task.appId, task.namespaceId, at, at, at, at);
  db.close();
}

async function databaseMB() {
  if (databaseUrl) {
    const { rows } = await (async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const out = await client.query(
        `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'kairos_bench' AND c.relkind = 'r'`,
      );
      await client.end();
      return out;
    })();
    return round(Number(rows[0].bytes) / 1024 / 1024, 1);
  }
  const size = (file) => {
    try {
      return statSync(join(kairos.dataDir, file)).size;
    } catch {
      return 0;
    }
  };
  return { file: round(size('kairos.db') / 1048576, 1), wal: round(size('kairos.db-wal') / 1048576, 1) };
}
