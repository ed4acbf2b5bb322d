// A run's start and its execution's insert: written apart (markRunsStarted, then insertExecution
// per run, as an executor run did before) against together (startRunsWithExecutions, one
// transaction), on the same store in the same run, rounds alternating. Batches of 1 (a scheduled
// run released alone) and of 100 (a burst or a batch trigger). Prints JSON with µs per run.
//   node bench/start-with-executions.js [--runs 4000] [--rounds 4] [--database-url URL]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../apps/server/dist/store/sqlite-store.js';
import { openPostgresStore } from '../apps/server/dist/store/postgres-store.js';
import { flags, resetPostgres, round, seedExecutorTask } from './support.js';

const opts = flags();
const runs = Number(opts.runs ?? 4000);
const rounds = Number(opts.rounds ?? 4);
const databaseUrl = opts['database-url'];

const dir = mkdtempSync(join(tmpdir(), 'kairos-start-'));
const store = databaseUrl
  ? await openPostgresStore(await resetPostgres(databaseUrl))
  : await openSqliteStore(join(dir, 'kairos.db'));
const { ns, app, task } = await seedExecutorTask(store);

let key = 0;
async function scheduled(n) {
  const made = await store.insertRuns(
    Array.from({ length: n }, () => ({
      taskId: task.id,
      appId: app.id,
      namespaceId: ns.id,
      triggerType: 'api',
      status: 'scheduled',
      slotAt: null,
      scheduledAt: 1_000,
      attempt: 1,
      retryOf: null,
      input: null,
      leaseOwner: 'bench',
      leaseExpiresAt: 9e12,
      idempotencyKey: `k${key++}`,
    })),
  );
  return made.map((m) => m.run.id);
}

const start = (runId) => ({
  runId,
  startedAt: 2_000,
  executor: null,
  leaseOwner: 'bench',
  leaseExpiresAt: 9e12,
});
const execution = (runId) => ({
  runId,
  taskId: task.id,
  appId: app.id,
  shardIndex: 0,
  shardTotal: 1,
  executorAddress: 'pull://bench',
  status: 'queued',
  trigger: { jobId: task.id, executorHandler: 'stamp', executorParams: '' },
  createdAt: 2_000,
});

const ways = {
  apart: async (ids) => {
    const started = await store.markRunsStarted(ids.map(start));
    for (let i = 0; i < ids.length; i++) if (started[i]) await store.insertExecution(execution(ids[i]));
  },
  together: async (ids) => {
    await store.startRunsWithExecutions(ids.map((id) => ({ ...start(id), executions: [execution(id)] })));
  },
};

async function measure(way, batch) {
  let spent = 0n;
  for (let done = 0; done < runs; done += batch) {
    const ids = await scheduled(batch);
    const t = process.hrtime.bigint();
    await ways[way](ids);
    spent += process.hrtime.bigint() - t;
  }
  return Number(spent) / 1000 / runs;
}

const results = {};
for (const batch of [1, 100]) {
  const seen = { apart: [], together: [] };
  for (let r = 0; r < rounds; r++) {
    for (const way of r % 2 === 0 ? ['apart', 'together'] : ['together', 'apart']) {
      seen[way].push(await measure(way, batch));
    }
  }
  const best = (xs) => Math.min(...xs);
  results[`batch of ${batch}`] = {
    apartUsPerRun: round(best(seen.apart)),
    togetherUsPerRun: round(best(seen.together)),
    togetherOverApart: round(best(seen.together) / best(seen.apart)),
  };
}
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'start-with-executions',
    store: databaseUrl ? 'postgres' : 'sqlite',
    runs,
    rounds,
    results,
  }),
);
