/**
 * Contract: runs — insertion (unique slot, idempotency keys), listing and counting, start,
 * admission under task and app limits, finish (once), cancel requests.
 */
import { describe, expect, it } from 'vitest';
import type { AdmissionRequest, Store, TaskRecord } from '../../../src/store/store.js';
import { endRuns, runInput, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

async function aTask(store: Store, overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
  return store.createTask(taskInput(await seed(store), overrides));
}

function admission(
  runId: number,
  task: TaskRecord,
  taskMax: number | null,
  appMax: number | null,
): AdmissionRequest {
  return { ...start(runId), taskId: task.id, appId: task.appId, taskMax, appMax };
}

export function defineRunContract(ctx: ContractContext): void {
  describe('insertRun', () => {
    it('inserts a run and reads every field back', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const input = runInput(task, {
        triggerType: 'api',
        input: { b: 2, a: [1, { c: null }] },
        attempt: 2,
        idempotencyKey: 'k1',
      });
      const { run, created } = await store.insertRun(input);
      expect(created).toBe(true);
      expect(run).toEqual({
        id: expect.any(Number),
        taskId: task.id,
        appId: task.appId,
        namespaceId: task.namespaceId,
        triggerType: 'api',
        status: 'scheduled',
        slotAt: null,
        scheduledAt: 1_000,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        attempt: 2,
        retryOf: null,
        input: { b: 2, a: [1, { c: null }] },
        output: null,
        error: null,
        executor: null,
        usage: null,
        idempotencyKey: 'k1',
        leaseOwner: 'node-a',
        leaseExpiresAt: 60_000,
        cancelRequestedAt: null,
        effectAt: null,
        priority: 0,
        createdAt: expect.any(Number),
        replayOf: null,
        versionPin: null,
        checks: null,
      });
      expect(await store.getRun(run.id)).toEqual(run);
      expect(await store.getRun(999_999)).toBeUndefined();
    });

    it('inserts a run already skipped, with its error (misfire accounting)', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const { run } = await store.insertRun(
        runInput(task, {
          triggerType: 'misfire',
          status: 'skipped',
          slotAt: 5_000,
          error: { type: 'misfire', message: 'missed by 9s', lateMs: 9_000 },
          finishedAt: 14_000,
          leaseOwner: null,
          leaseExpiresAt: null,
        }),
      );
      expect(run).toMatchObject({
        status: 'skipped',
        slotAt: 5_000,
        finishedAt: 14_000,
        error: { type: 'misfire', message: 'missed by 9s', lateMs: 9_000 },
      });
    });

    it('one run per (task, slot); runs without a slot never collide', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const other = await aTask(store);
      const first = await store.insertRun(runInput(task, { triggerType: 'schedule', slotAt: 10_000 }));
      const again = await store.insertRun(
        runInput(task, { triggerType: 'schedule', slotAt: 10_000, attempt: 9 }),
      );
      expect(again).toEqual({ run: first.run, created: false });
      expect((await store.insertRun(runInput(other, { slotAt: 10_000 }))).created).toBe(true);
      expect((await store.insertRun(runInput(task))).created).toBe(true);
      expect((await store.insertRun(runInput(task))).created).toBe(true);
      expect(await store.countRuns({ taskId: task.id })).toBe(3);
    });

    it('an idempotency key already used for the task returns the existing run', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const other = await aTask(store);
      const first = await store.insertRun(runInput(task, { idempotencyKey: 'req-1', input: 'first' }));
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.insertRun(runInput(task, { idempotencyKey: 'req-1', input: 'again' })),
        ),
      );
      for (const result of results) expect(result).toEqual({ run: first.run, created: false });
      expect((await store.insertRun(runInput(other, { idempotencyKey: 'req-1' }))).created).toBe(true);
      expect((await store.insertRun(runInput(task, { idempotencyKey: 'req-2' }))).created).toBe(true);
    });
  });

  describe('listRuns and countRuns', () => {
    it('filters by namespace, task, app, statuses, trigger types and time; pages newest first', async () => {
      const store = ctx.store;
      const a = await aTask(store);
      const b = await store.createTask(taskInput(await seed(store, 'other')));
      const ids = await scheduledRuns(store, a, 5);
      const [bId] = await scheduledRuns(store, b, 1, { triggerType: 'schedule', slotAt: 1_000 });
      await store.markRunsStarted([start(ids[0] ?? 0)]);
      await endRuns(store, [{ runId: ids[1] ?? 0, status: 'failed', finishedAt: 3_000, durationMs: 5 }]);
      const list = async (filter: Parameters<Store['listRuns']>[0]) =>
        (await store.listRuns(filter, { limit: 100 })).items.map((r) => r.id);
      expect(await list({})).toEqual([bId, ...[...ids].reverse()]);
      expect(await list({ namespaceId: b.namespaceId })).toEqual([bId]);
      expect(await list({ taskId: a.id, statuses: ['running', 'failed'] })).toEqual([ids[1], ids[0]]);
      expect(await list({ appId: b.appId })).toEqual([bId]);
      expect(await list({ triggerTypes: ['schedule'] })).toEqual([bId]);
      expect(await list({ taskId: a.id, from: 1_002, to: 1_004 })).toEqual([ids[3], ids[2]]);
      expect(await list({ statuses: [] })).toHaveLength(6);
      expect(await store.countRuns({})).toBe(6);
      expect(await store.countRuns({ taskId: a.id, statuses: ['scheduled'] })).toBe(3);
      expect(await store.countRuns({ from: 1_004 })).toBe(1);
      const first = await store.listRuns({ taskId: a.id }, { limit: 2 });
      const second = await store.listRuns(
        { taskId: a.id },
        { cursor: first.nextCursor ?? undefined, limit: 2 },
      );
      const third = await store.listRuns(
        { taskId: a.id },
        { cursor: second.nextCursor ?? undefined, limit: 2 },
      );
      expect([first, second, third].map((p) => p.items.map((r) => r.id))).toEqual([
        [ids[4], ids[3]],
        [ids[2], ids[1]],
        [ids[0]],
      ]);
      expect(third.nextCursor).toBeNull();
    });
  });

  describe('insertRuns', () => {
    it('inserts in order in one transaction; a used idempotency key, even earlier in the call, returns that run', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const other = await aTask(store);
      const { run: earlier } = await store.insertRun(runInput(task, { idempotencyKey: 'old' }));
      const results = await store.insertRuns([
        runInput(task, { input: { n: 1 } }),
        runInput(task, { input: { n: 2 }, idempotencyKey: 'a' }),
        runInput(other, { input: { n: 3 }, idempotencyKey: 'a' }),
        runInput(task, { input: { n: 4 }, idempotencyKey: 'old' }),
        runInput(task, { input: { n: 5 }, idempotencyKey: 'a' }),
        runInput(task, { input: { n: 6 } }),
      ]);
      expect(results.map((r) => r.created)).toEqual([true, true, true, false, false, true]);
      const created = results.filter((r) => r.created).map((r) => r.run);
      expect(created.map((r) => (r.input as { n: number }).n)).toEqual([1, 2, 3, 6]);
      expect(created.map((r) => r.id)).toEqual([...created.map((r) => r.id)].sort((a, b) => a - b));
      // What the insert answers is the run as stored, every field.
      for (const run of created) expect(run).toEqual(await store.getRun(run.id));
      expect(results[3]?.run.id).toBe(earlier.id);
      expect(results[4]?.run.id).toBe(results[1]?.run.id);
      expect(results[2]?.run.taskId).toBe(other.id);
      expect(await store.countRuns({})).toBe(5);
      expect(await store.insertRuns([])).toEqual([]);
    });
  });

  describe('markRunsStarted', () => {
    it('starts scheduled runs only, and says which it started', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [a, b, c] = await scheduledRuns(store, task, 3);
      await endRuns(store, [{ runId: b ?? 0, status: 'cancelled' }]);
      const started = await store.markRunsStarted([
        start(a ?? 0, 'node-b'),
        start(b ?? 0),
        start(c ?? 0),
        start(a ?? 0),
      ]);
      expect(started).toEqual([true, false, true, false]);
      expect(await store.getRun(a ?? 0)).toMatchObject({
        status: 'running',
        startedAt: 2_000,
        executor: 'exec-1',
        leaseOwner: 'node-b',
        leaseExpiresAt: 60_000,
      });
      expect((await store.getRun(b ?? 0))?.status).toBe('cancelled');
      expect(await store.markRunsStarted([])).toEqual([]);
    });
  });

  describe('admitRuns', () => {
    it("respects the task's limit, counting runs already running", async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const ids = await scheduledRuns(store, task, 5);
      await store.markRunsStarted([start(ids[0] ?? 0)]);
      const results = await store.admitRuns(ids.slice(1).map((id) => admission(id, task, 2, null)));
      expect(results).toEqual(['started', 'task_busy', 'task_busy', 'task_busy']);
      expect(await store.countRuns({ taskId: task.id, statuses: ['running'] })).toBe(2);
    });

    it("respects the app's limit across the app's tasks", async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const t1 = await store.createTask(taskInput(seeded));
      const t2 = await store.createTask(taskInput(seeded));
      const r1 = await scheduledRuns(store, t1, 2);
      const r2 = await scheduledRuns(store, t2, 2);
      const results = await store.admitRuns([
        admission(r1[0] ?? 0, t1, null, 3),
        admission(r2[0] ?? 0, t2, null, 3),
        admission(r1[1] ?? 0, t1, null, 3),
        admission(r2[1] ?? 0, t2, null, 3),
      ]);
      expect(results).toEqual(['started', 'started', 'started', 'app_busy']);
      const running = await store.countRunning();
      expect(running.byApp.get(seeded.app.id)).toBe(3);
      expect(running.byTask.get(t1.id)).toBe(2);
      expect(running.byTask.get(t2.id)).toBe(1);
    });

    it('checks in order: gone, then the task, then the app; no limits admit all', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const ids = await scheduledRuns(store, task, 5);
      await endRuns(store, [{ runId: ids[0] ?? 0, status: 'cancelled' }]);
      const results = await store.admitRuns([
        admission(ids[0] ?? 0, task, 1, 1),
        admission(ids[1] ?? 0, task, 1, 1),
        admission(ids[2] ?? 0, task, 1, 1),
        admission(ids[3] ?? 0, task, 5, 1),
        admission(ids[1] ?? 0, task, null, null),
        admission(999_999, task, null, null),
      ]);
      expect(results).toEqual(['gone', 'started', 'task_busy', 'app_busy', 'gone', 'gone']);
      expect(await store.admitRuns([admission(ids[4] ?? 0, task, null, null)])).toEqual(['started']);
      expect(await store.admitRuns([])).toEqual([]);
    });

    it('without any limit: starts the runs still scheduled, once each, and stamps them', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const ids = await scheduledRuns(store, task, 3);
      await endRuns(store, [{ runId: ids[0] ?? 0, status: 'cancelled' }]);
      await store.markRunsStarted([start(ids[2] ?? 0)]);
      const results = await store.admitRuns([
        admission(ids[0] ?? 0, task, null, null),
        admission(ids[1] ?? 0, task, null, null),
        admission(ids[1] ?? 0, task, null, null),
        admission(ids[2] ?? 0, task, null, null),
        admission(999_999, task, null, null),
      ]);
      expect(results).toEqual(['gone', 'started', 'gone', 'gone', 'gone']);
      const admitted = await store.getRun(ids[1] ?? 0);
      const stamp = admission(ids[1] ?? 0, task, null, null);
      expect(admitted).toMatchObject({
        status: 'running',
        startedAt: stamp.startedAt,
        leaseOwner: stamp.leaseOwner,
        leaseExpiresAt: stamp.leaseExpiresAt,
      });
      expect((await store.getRun(ids[0] ?? 0))?.status).toBe('cancelled');
    });
  });

  describe('finishRuns', () => {
    it('names who ran the run when the finish says so, and keeps the stored name otherwise', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [a, b] = await scheduledRuns(store, task, 2);
      await store.markRunsStarted([start(a ?? 0), start(b ?? 0)]);
      expect(
        await endRuns(store, [
          {
            runId: a ?? 0,
            status: 'succeeded',
            finishedAt: 3_000,
            durationMs: 1,
            executor: 'http://10.0.0.7:9999',
          },
          { runId: b ?? 0, status: 'failed', finishedAt: 3_000, durationMs: 1 },
        ]),
      ).toEqual([true, true]);
      expect((await store.getRun(a ?? 0))?.executor).toBe('http://10.0.0.7:9999');
      expect((await store.getRun(b ?? 0))?.executor).toBe('exec-1');
      // A second finish changes nothing, its executor included.
      expect(
        await endRuns(store, [
          { runId: a ?? 0, status: 'failed', finishedAt: 4_000, durationMs: 1, executor: 'http://other:1' },
        ]),
      ).toEqual([false]);
      expect((await store.getRun(a ?? 0))?.executor).toBe('http://10.0.0.7:9999');
    });

    it('finishes runs that are not terminal yet, once, with output, error and usage', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [a, b, c] = await scheduledRuns(store, task, 3);
      await store.markRunsStarted([start(a ?? 0), start(b ?? 0)]);
      const done = await endRuns(store, [
        {
          runId: a ?? 0,
          status: 'succeeded',
          finishedAt: 3_000,
          durationMs: 1_000.4,
          output: { rows: [1, 2] },
          usage: { totalTokens: 12, totalPrice: 0.002, currency: 'USD' },
        },
        {
          runId: b ?? 0,
          status: 'failed',
          finishedAt: 3_100,
          durationMs: 1_100,
          error: { type: 'http', message: 'HTTP 502', status: 502 },
        },
        { runId: c ?? 0, status: 'skipped', finishedAt: 3_200, durationMs: null },
        { runId: a ?? 0, status: 'failed', finishedAt: 9_000, durationMs: 1 },
      ]);
      expect(done).toEqual([true, true, true, false]);
      expect(await store.getRun(a ?? 0)).toMatchObject({
        status: 'succeeded',
        finishedAt: 3_000,
        durationMs: 1_000,
        output: { rows: [1, 2] },
        error: null,
        usage: { totalTokens: 12, totalPrice: 0.002, currency: 'USD' },
      });
      expect(await store.getRun(b ?? 0)).toMatchObject({
        status: 'failed',
        error: { type: 'http', status: 502 },
      });
      expect(await store.getRun(c ?? 0)).toMatchObject({ status: 'skipped', startedAt: null });
      expect(
        await endRuns(store, [{ runId: b ?? 0, status: 'lost', finishedAt: 1, durationMs: null }]),
      ).toEqual([false]);
      expect((await store.getRun(b ?? 0))?.status).toBe('failed');
    });

    it('two concurrent finishes of the same runs finish each run once', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const ids = await scheduledRuns(store, task, 20);
      await store.markRunsStarted(ids.map((id) => start(id)));
      const finish = (status: 'succeeded' | 'failed') =>
        endRuns(
          store,
          ids.map((runId) => ({ runId, status, finishedAt: 3_000, durationMs: 1 })),
        );
      const [x, y] = await Promise.all([finish('succeeded'), finish('failed')]);
      ids.forEach((_, i) => expect(Number(x[i]) + Number(y[i])).toBe(1));
    });
  });

  describe('cancel requests', () => {
    it('a running run records the request; a scheduled or finished one is left alone', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [queued, running, finished] = await scheduledRuns(store, task, 3);
      await store.markRunsStarted([start(running ?? 0, 'node-x'), start(finished ?? 0, 'node-x')]);
      await endRuns(store, [{ runId: finished ?? 0, status: 'succeeded', finishedAt: 3_000, durationMs: 1 }]);

      // A scheduled run is cancelled by settling it (RunSettler), not by the request.
      expect(await store.requestCancel(queued ?? 0, 4_000)).toMatchObject({
        status: 'scheduled',
        cancelRequestedAt: null,
      });
      expect(await store.requestCancel(running ?? 0, 4_100)).toMatchObject({
        status: 'running',
        finishedAt: null,
        cancelRequestedAt: 4_100,
      });
      expect((await store.requestCancel(running ?? 0, 4_200))?.cancelRequestedAt).toBe(4_100);
      expect(await store.requestCancel(finished ?? 0, 4_300)).toMatchObject({
        status: 'succeeded',
        cancelRequestedAt: null,
      });
      expect(await store.requestCancel(999_999, 4_400)).toBeUndefined();
      expect(await store.listCancelRequested('node-x')).toEqual([running]);
      expect(await store.listCancelRequested('node-a')).toEqual([]);
    });
  });

  describe('active runs and running counts', () => {
    it('lists running and scheduled runs of a task, oldest first; counts running per task and app', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const other = await aTask(store);
      const ids = await scheduledRuns(store, task, 4);
      await scheduledRuns(store, other, 1);
      await store.markRunsStarted([start(ids[2] ?? 0)]);
      await endRuns(store, [{ runId: ids[0] ?? 0, status: 'cancelled', finishedAt: 1, durationMs: null }]);
      expect((await store.listActiveRuns(task.id)).map((r) => [r.id, r.status])).toEqual([
        [ids[1], 'scheduled'],
        [ids[2], 'running'],
        [ids[3], 'scheduled'],
      ]);
      const running = await store.countRunning();
      expect([...running.byTask]).toEqual([[task.id, 1]]);
      expect([...running.byApp]).toEqual([[task.appId, 1]]);
    });
  });
}
