// Each hand-written SQLite statement that exists only because Kysely prepared a statement on
// every call, against the same operation written in Kysely through the statement-caching dialect
// (apps/server/src/store/sqlite-caching-dialect.ts): same file, same run, rounds alternating,
// each side on a connection of its own. Prints JSON with µs per operation and the ratio
// (kysely / hand): near 1 means the hand-written one no longer pays.
//   node bench/sqlite-replacements.js [--ops 4000] [--rounds 4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { openSqliteStore } from '../apps/server/dist/store/sqlite-store.js';
import { CachingSqliteDialect } from '../apps/server/dist/store/sqlite-caching-dialect.js';
import { executorOperations } from '../apps/server/dist/store/executor-queries.js';
import { RunEventQueries } from '../apps/server/dist/store/run-event-queries.js';
import { runOperations } from '../apps/server/dist/store/run-queries.js';
import { sqliteExecutions } from '../apps/server/dist/store/sqlite-executions.js';
import {
  sqliteAppendRunEvents,
  sqliteSetRunCheckpoint,
} from '../apps/server/dist/store/sqlite-run-events.js';
import { SqliteHotPath } from '../apps/server/dist/store/sqlite-hot-path.js';
import { flags, round, seedExecutorTask } from './support.js';

const opts = flags();
const ops = Number(opts.ops ?? 4000);
const rounds = Number(opts.rounds ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'kairos-replacements-'));
const file = join(dir, 'kairos.db');
const store = await openSqliteStore(file);
const { ns, app, task } = await seedExecutorTask(store);
const { run } = await store.insertRun({
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
});
await store.close();

const configure = (db) => {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
};
const handDb = configure(new Database(file));
const kyselyDb = configure(new Database(file));
const kysely = new Kysely({ dialect: new CachingSqliteDialect(kyselyDb) });
const noSteps = { runInside: () => ({ deliveries: 0 }) };
const sides = {
  hand: {
    ...sqliteExecutions(handDb),
    appendRunEvents: sqliteAppendRunEvents(handDb),
    setRunCheckpoint: sqliteSetRunCheckpoint(handDb),
    appendRunLogs: (entries) =>
      new SqliteHotPath(
        handDb,
        Date.now,
        noSteps,
        () => [],
        () => [],
      ).appendRunLogs(entries),
  },
  kysely: {
    ...executorOperations({ db: kysely }),
    appendRunEvents: (entries) => new RunEventQueries(kysely).appendRunEvents(entries),
    setRunCheckpoint: (runId, value) => new RunEventQueries(kysely).setRunCheckpoint(runId, value),
    appendRunLogs: runOperations({ db: kysely, now: Date.now }).appendRunLogs,
  },
};
// One hot path per side, built once (its constructor prepares every hot statement).
const handLogs = new SqliteHotPath(
  handDb,
  Date.now,
  noSteps,
  () => [],
  () => [],
);
sides.hand.appendRunLogs = (entries) => handLogs.appendRunLogs(entries);

const execution = (status = 'dispatched', address = 'http://127.0.0.1:1') => ({
  runId: run.id,
  taskId: task.id,
  appId: app.id,
  shardIndex: 0,
  shardTotal: 1,
  executorAddress: address,
  status,
  trigger: { jobId: task.id, executorHandler: 'stamp', executorParams: '' },
  createdAt: 2_000,
});
let seq = 0;
// Write-behind batches vary in size, so a multi-row statement's text does too.
const batchSize = (i) => 1 + ((i * 37) % 100);

/** Each work: an optional untimed setup per op, then the timed op. */
const work = {
  insertExecution: { op: (s) => s.insertExecution(execution()) },
  getExecution: {
    setup: (s) => s.insertExecution(execution()),
    op: (s, made) => s.getExecution(made.id),
  },
  completeExecution: {
    setup: (s) => s.insertExecution(execution()),
    op: (s, made) =>
      s.completeExecution(made.id, {
        status: 'succeeded',
        handleCode: 200,
        handleMsg: 'ok',
        retryable: true,
        finishedAt: 3_000,
      }),
  },
  'takeQueuedExecutions (none queued)': { op: (s) => s.takeQueuedExecutions(app.id, 'pull://idle', 10) },
  'takeQueuedExecutions (one queued)': {
    setup: (s) => s.insertExecution(execution('queued', 'pull://busy')),
    op: (s) => s.takeQueuedExecutions(app.id, 'pull://busy', 10),
  },
  'takeKillRequests (none)': { op: (s) => s.takeKillRequests(app.id, 'pull://idle') },
  setRunCheckpoint: { op: (s, _, i) => s.setRunCheckpoint(run.id, { step: i }) },
  'appendRunEvents (1-100 a batch), per event': {
    op: (s, _, i) =>
      s.appendRunEvents(
        Array.from({ length: batchSize(i) }, () => ({
          runId: run.id,
          seq: ++seq,
          at: 5_000,
          kind: 'node_finished',
          data: '{"status":"succeeded"}',
          truncated: false,
        })),
      ),
    items: batchSize,
  },
  'appendRunLogs (1-100 a batch), per line': {
    op: (s, _, i) =>
      s.appendRunLogs(
        Array.from({ length: batchSize(i) }, () => ({
          runId: run.id,
          at: 5_000,
          stream: 'stdout',
          text: 'a line',
        })),
      ),
    items: batchSize,
  },
};

async function measure(side, { setup, op, items }) {
  let spent = 0n;
  let count = 0;
  for (let i = 0; i < ops; i++) {
    const made = setup ? await setup(side) : undefined;
    const t = process.hrtime.bigint();
    await op(side, made, i);
    spent += process.hrtime.bigint() - t;
    count += items ? items(i) : 1;
  }
  return Number(spent) / 1000 / count;
}

const results = {};
for (const [name, w] of Object.entries(work)) {
  const seen = { hand: [], kysely: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? ['hand', 'kysely'] : ['kysely', 'hand']) {
      seen[side].push(await measure(sides[side], w));
    }
  }
  const best = (xs) => Math.min(...xs);
  results[name] = {
    handUs: round(best(seen.hand)),
    kyselyUs: round(best(seen.kysely)),
    kyselyOverHand: round(best(seen.kysely) / best(seen.hand)),
  };
}
handDb.close();
await kysely.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'sqlite-replacements', ops, rounds, results }));
