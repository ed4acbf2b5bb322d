/**
 * The run pruner on both dialects, driven by a manual clock: runs older than the namespace's
 * days go, each task keeps its newest N, logs may go sooner than their runs, unfinished runs and
 * the statistics stay; on PostgreSQL one node prunes at a time; a new SQLite file gives pruned
 * pages back (incremental vacuum).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { RunPruner } from '../../src/retention/run-pruner.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store, TaskRecord } from '../../src/store/store.js';
import { createTestSchema, postgresReachable } from '../support/postgres.js';
import { makeTempDir } from '../support/temp-dir.js';
import { runInput, seed, taskInput } from '../store/contract/context.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const KEEP_ALL = { keepDays: 0, keepRunsPerTask: 0, keepLogsDays: 0 };
const pgReachable = await postgresReachable();
/** The stores' clock for created_at: runs are created when their slot comes, as in life. */
let storeNow = NOW;

interface Opened {
  stores: Store[];
  open: () => Promise<Store>;
  dispose: () => Promise<void>;
  dataDir: string;
}

const dialects: [string, boolean, () => Promise<Opened>][] = [
  [
    'SQLite',
    true,
    async () => {
      const dir = makeTempDir();
      const stores: Store[] = [];
      return {
        stores,
        dataDir: dir.path,
        open: async () => {
          const store = await openStore({ dataDir: dir.path, now: () => storeNow });
          stores.push(store);
          return store;
        },
        dispose: async () => {
          for (const store of stores) await store.close();
          dir.remove();
        },
      };
    },
  ],
  [
    'PostgreSQL',
    pgReachable,
    async () => {
      const schema = await createTestSchema();
      const dir = makeTempDir();
      const stores: Store[] = [];
      return {
        stores,
        dataDir: dir.path,
        open: async () => {
          const store = await openStore({
            databaseUrl: schema.databaseUrl,
            dataDir: dir.path,
            now: () => storeNow,
          });
          stores.push(store);
          return store;
        },
        dispose: async () => {
          for (const store of stores) await store.close();
          await schema.drop();
          dir.remove();
        },
      };
    },
  ],
];

/** `count` runs of a task that finished `daysAgo` days before NOW (one minute apart), with a log line each. */
async function finishedRuns(
  store: Store,
  task: TaskRecord,
  count: number,
  daysAgo: number,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const scheduledAt = NOW - daysAgo * DAY + i * 60_000;
    storeNow = scheduledAt;
    const { run } = await store.insertRun(runInput(task, { scheduledAt, slotAt: scheduledAt }));
    await store.markRunsStarted([
      {
        runId: run.id,
        startedAt: scheduledAt,
        executor: 'x',
        leaseOwner: 'n',
        leaseExpiresAt: scheduledAt + 1,
      },
    ]);
    await store.settleRuns([
      {
        runId: run.id,
        expected: 'running',
        end: {
          status: 'succeeded',
          finishedAt: scheduledAt + 10,
          durationMs: 10,
          error: null,
          retryable: false,
        },
        retry: null,
        nextFire: null,
      },
    ]);
    await store.appendRunLogs([{ runId: run.id, at: scheduledAt, stream: 'stdout', text: `run ${i}` }]);
    ids.push(run.id);
  }
  storeNow = NOW;
  return ids;
}

const pruner = (store: Store, clock: ManualClock, defaults = KEEP_ALL, batchSize = 3) =>
  new RunPruner({ store, clock, logger: pino({ level: 'silent' }), defaults, batchSize, intervalMs: 60_000 });

for (const [name, available, create] of dialects) {
  describe.skipIf(!available)(`run pruner (${name})`, () => {
    let db: Opened | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("prunes finished runs older than the namespace's days in small batches; statistics stay", async () => {
      db = await create();
      const store = await db.open();
      const task = await store.createTask(taskInput(await seed(store)));
      const old = await finishedRuns(store, task, 7, 40);
      const recent = await finishedRuns(store, task, 2, 1);
      const { run: pending } = await store.insertRun(runInput(task, { scheduledAt: NOW - 50 * DAY }));
      const range = { from: NOW - 60 * DAY, to: NOW, bucketMs: DAY };
      const statsBefore = await store.runStats(range);
      await store.setRetention(task.namespaceId, { keepDays: 30, keepRunsPerTask: null, keepLogsDays: null });

      const report = await pruner(store, new ManualClock(NOW)).pruneOnce();
      expect(report.runs).toBe(7);
      for (const id of old) expect(await store.getRun(id)).toBeUndefined();
      for (const id of recent) expect(await store.getRun(id)).toBeDefined();
      expect((await store.getRun(pending.id))?.status).toBe('scheduled');
      expect(await store.listRunLogs(old[0]!, 0, 10)).toEqual([]);
      expect(await store.runStats(range)).toEqual(statsBefore);
      // Nothing more to do: a second pass deletes nothing.
      expect((await pruner(store, new ManualClock(NOW)).pruneOnce()).runs).toBe(0);
    });

    it("uses the server's default where the namespace sets none, 0 keeping everything", async () => {
      db = await create();
      const store = await db.open();
      const task = await store.createTask(taskInput(await seed(store)));
      await finishedRuns(store, task, 2, 10);
      const clock = new ManualClock(NOW);
      expect((await pruner(store, clock, { ...KEEP_ALL, keepDays: 30 }).pruneOnce()).runs).toBe(0);
      expect((await pruner(store, clock, { ...KEEP_ALL, keepDays: 7 }).pruneOnce()).runs).toBe(2);
    });

    it('keeps each task its newest N runs', async () => {
      db = await create();
      const store = await db.open();
      const seeded = await seed(store);
      const one = await store.createTask(taskInput(seeded, { name: 'one' }));
      const two = await store.createTask(taskInput(seeded, { name: 'two' }));
      const ones = await finishedRuns(store, one, 8, 2);
      const twos = await finishedRuns(store, two, 3, 2);
      await store.setRetention(seeded.ns.id, { keepDays: 0, keepRunsPerTask: 3, keepLogsDays: null });
      expect(
        (await pruner(store, new ManualClock(NOW), { ...KEEP_ALL, keepDays: 30 }).pruneOnce()).runs,
      ).toBe(5);
      const left = (await store.listRuns({ taskId: one.id }, { limit: 50 })).items.map((r) => r.id);
      expect(left.sort((a, b) => a - b)).toEqual(ones.slice(5));
      expect((await store.listRuns({ taskId: two.id }, { limit: 50 })).items).toHaveLength(twos.length);
    });

    it('prunes logs sooner than their runs when the namespace says so', async () => {
      db = await create();
      const store = await db.open();
      const task = await store.createTask(taskInput(await seed(store)));
      const older = await finishedRuns(store, task, 4, 5);
      const newer = await finishedRuns(store, task, 1, 0.5);
      await store.setRetention(task.namespaceId, { keepDays: 30, keepRunsPerTask: null, keepLogsDays: 2 });
      const report = await pruner(store, new ManualClock(NOW)).pruneOnce();
      expect(report).toMatchObject({ runs: 0, details: 4 });
      for (const id of older) {
        expect(await store.getRun(id)).toBeDefined();
        expect(await store.listRunLogs(id, 0, 10)).toEqual([]);
      }
      expect(await store.listRunLogs(newer[0]!, 0, 10)).toHaveLength(1);
    });

    it.runIf(name === 'PostgreSQL')('lets one node prune at a time', async () => {
      db = await create();
      const first = await db.open();
      const second = await db.open();
      expect(await first.holdPrunerLock()).toBe(true);
      expect(await second.holdPrunerLock()).toBe(false);
      const task = await first.createTask(taskInput(await seed(first)));
      await finishedRuns(first, task, 2, 40);
      const clock = new ManualClock(NOW);
      expect((await pruner(second, clock, { ...KEEP_ALL, keepDays: 30 }).pruneOnce()).runs).toBe(0);
      expect((await pruner(first, clock, { ...KEEP_ALL, keepDays: 30 }).pruneOnce()).runs).toBe(2);
    });

    it.runIf(name === 'SQLite')(
      'creates the file in incremental vacuum mode and gives pruned pages back',
      async () => {
        db = await create();
        const store = await db.open();
        const task = await store.createTask(taskInput(await seed(store)));
        const ids = await finishedRuns(store, task, 20, 40);
        await store.appendRunLogs(
          ids.map((runId) => ({ runId, at: NOW, stream: 'stdout', text: 'x'.repeat(8000) })),
        );
        const report = await pruner(
          store,
          new ManualClock(NOW),
          { ...KEEP_ALL, keepDays: 30 },
          50,
        ).pruneOnce();
        expect(report).toMatchObject({ runs: 20, freePages: 0 });
        await store.close();
        const file = new Database(join(db.dataDir, 'kairos.db'), { readonly: true });
        expect(file.pragma('auto_vacuum', { simple: true })).toBe(2);
        expect(file.pragma('freelist_count', { simple: true })).toBe(0);
        file.close();
        db.stores.splice(0);
      },
    );
  });
}
