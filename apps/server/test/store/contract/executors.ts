/**
 * Contract: executors — registration upserts, liveness, manual address lists,
 * executions completed once, the pull queue handing each execution out once, lost executions
 * of dead executors, the log cursor.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { runInput, seed, start, taskInput, type ContractContext } from './context.js';

/** A running run of an executor task, for executions to belong to. */
export async function runningRun(store: Store) {
  const seeded = await seed(store);
  const task = await store.createTask(taskInput(seeded, { type: 'executor', config: { handler: 'h' } }));
  const { run } = await store.insertRun(runInput(task));
  await store.markRunsStarted([start(run.id)]);
  return { app: seeded.app, task, run };
}

/** A new execution of `ids`' run. */
export const execution = (
  ids: { app: { id: number }; task: { id: number }; run: { id: number } },
  over: Partial<Parameters<Store['insertExecution']>[0]> = {},
) => ({
  runId: ids.run.id,
  taskId: ids.task.id,
  appId: ids.app.id,
  shardIndex: 0,
  shardTotal: 1,
  executorAddress: 'http://127.0.0.1:9999',
  status: 'dispatched' as const,
  trigger: { jobId: ids.task.id, executorHandler: 'h' },
  createdAt: 5_000,
  ...over,
});

export function defineExecutorContract(ctx: ContractContext): void {
  describe('executors', () => {
    it('upsertExecutor keeps one row per app and address, and heartbeats move it', async () => {
      const store = ctx.store;
      const { app } = await seed(store);
      const first = await store.upsertExecutor({
        appId: app.id,
        address: 'http://b:1',
        mode: 'push',
        protocol: 'xxl',
        at: 1_000,
      });
      await store.upsertExecutor({
        appId: app.id,
        address: 'http://a:1',
        mode: 'push',
        protocol: 'xxl',
        at: 1_500,
      });
      const again = await store.upsertExecutor({
        appId: app.id,
        address: 'http://b:1',
        mode: 'push',
        protocol: 'xxl35',
        at: 2_000,
      });
      expect(again).toMatchObject({
        id: first.id,
        registeredAt: 1_000,
        lastHeartbeatAt: 2_000,
        protocol: 'xxl35',
      });
      expect((await store.listLiveExecutors(app.id, 1_200)).map((e) => e.address)).toEqual(
        ['http://b:1', 'http://a:1'].sort(),
      );
      expect((await store.listLiveExecutors(app.id, 1_600)).map((e) => e.address)).toEqual(['http://b:1']);
      expect(await store.removeExecutor(app.id, 'http://b:1', 2_100)).toBe(true);
      expect(await store.listLiveExecutors(app.id, 0)).toHaveLength(1);
      expect((await store.listExecutors({ appIds: [app.id] })).map((e) => e.removedAt)).toEqual([
        null,
        2_100,
      ]);
      await store.upsertExecutor({
        appId: app.id,
        address: 'http://b:1',
        mode: 'push',
        protocol: 'xxl',
        at: 3_000,
      });
      expect(await store.listLiveExecutors(app.id, 0)).toHaveLength(2);
      expect(await store.listAppsByAppName(app.appName)).toEqual([app]);
    });

    it('keeps and removes a manual address list', async () => {
      const store = ctx.store;
      const { app } = await seed(store);
      expect(await store.getAppExecutorAddresses(app.id)).toBeNull();
      await store.setAppExecutorAddresses(app.id, ['http://x:1', 'http://y:2'], 1_000);
      await store.setAppExecutorAddresses(app.id, ['http://z:3'], 2_000);
      expect(await store.getAppExecutorAddresses(app.id)).toEqual(['http://z:3']);
      await store.setAppExecutorAddresses(app.id, null, 3_000);
      expect(await store.getAppExecutorAddresses(app.id)).toBeNull();
    });

    it('completes an execution once and carries logId and logDateTime in its trigger', async () => {
      const store = ctx.store;
      const ids = await runningRun(store);
      const inserted = await store.insertExecution(execution(ids));
      expect(inserted.trigger).toMatchObject({
        logId: inserted.id,
        logDateTime: 5_000,
        executorHandler: 'h',
      });
      // What the insert answers is the execution as stored.
      expect(inserted).toEqual(await store.getExecution(inserted.id));
      const result = {
        status: 'failed' as const,
        handleCode: 500,
        handleMsg: 'boom',
        retryable: false,
        finishedAt: 6_000,
      };
      const done = await store.completeExecution(inserted.id, result);
      expect(done).toMatchObject({ status: 'failed', handleCode: 500, handleMsg: 'boom', retryable: false });
      expect(
        await store.completeExecution(inserted.id, { ...result, status: 'succeeded', handleCode: 200 }),
      ).toBeUndefined();
      expect(await store.completeExecution(999_999, result)).toBeUndefined();
      expect((await store.getExecution(inserted.id))?.status).toBe('failed');
      expect((await store.listCompletedExecutions([inserted.id, 999_999])).map((e) => e.id)).toEqual([
        inserted.id,
      ]);
      expect(await store.listExecutionsOfRun(ids.run.id)).toHaveLength(1);
    });

    it('completes the executions of one turn together: each once, within its apps', async () => {
      const store = ctx.store;
      const ids = await runningRun(store);
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.insertExecution(execution(ids))));
      const result = (handleCode: number) => ({
        status: handleCode === 200 ? ('succeeded' as const) : ('failed' as const),
        handleCode,
        handleMsg: `code ${handleCode}`,
        retryable: true,
        finishedAt: 6_000 + handleCode,
      });
      // Asked in one turn: the same execution twice (the first wins), another app's, an unknown one.
      const outcomes = await Promise.all([
        store.completeExecution(a!.id, result(200)),
        store.completeExecution(a!.id, result(500)),
        store.completeExecution(b!.id, result(500), [ids.app.id + 1_000]),
        store.completeExecution(c!.id, result(500), [ids.app.id + 1_000, ids.app.id]),
        store.completeExecution(999_999, result(200)),
        store.completeExecution(b!.id, result(200), []),
      ]);
      expect(outcomes.map((o) => o && [o.id, o.handleCode])).toEqual([
        [a!.id, 200],
        undefined,
        undefined,
        [c!.id, 500],
        undefined,
        undefined,
      ]);
      expect(outcomes[0]).toEqual(await store.getExecution(a!.id));
      expect(outcomes[0]).toMatchObject({ status: 'succeeded', handleMsg: 'code 200', retryable: true });
      expect((await store.getExecution(b!.id))?.handleCode).toBeNull();
    });

    it('hands queued executions to their pull executor once, oldest first', async () => {
      const store = ctx.store;
      const ids = await runningRun(store);
      const address = 'pull://worker-1';
      const a = await store.insertExecution(execution(ids, { executorAddress: address, status: 'queued' }));
      const b = await store.insertExecution(execution(ids, { executorAddress: address, status: 'queued' }));
      await store.insertExecution(execution(ids, { executorAddress: 'pull://other', status: 'queued' }));
      const [first, second] = await Promise.all([
        store.takeQueuedExecutions(ids.app.id, address, 10),
        store.takeQueuedExecutions(ids.app.id, address, 10),
      ]);
      const taken = [...first!, ...second!];
      expect(taken.map((e) => e.id).sort((x, y) => x - y)).toEqual([a.id, b.id]);
      expect(taken.every((e) => e.status === 'dispatched')).toBe(true);
      expect(await store.takeQueuedExecutions(ids.app.id, address, 10)).toEqual([]);
      // At most `limit`, oldest first; the rest stay queued for the next poll.
      const c = await store.insertExecution(execution(ids, { executorAddress: address, status: 'queued' }));
      const d = await store.insertExecution(execution(ids, { executorAddress: address, status: 'queued' }));
      expect((await store.takeQueuedExecutions(ids.app.id, address, 1)).map((e) => e.id)).toEqual([c.id]);
      expect((await store.takeQueuedExecutions(ids.app.id, address, 10)).map((e) => e.id)).toEqual([d.id]);
      await store.requestExecutionKill([a.id], 7_000);
      expect(await store.takeKillRequests(ids.app.id, address)).toEqual([a.id]);
      expect(await store.takeKillRequests(ids.app.id, address)).toEqual([]);
      expect(await store.countOpenExecutionsOfTask(ids.app.id, address, ids.task.id)).toBe(4);
      expect((await store.countOpenExecutions(ids.app.id)).get(address)).toBe(4);
    });

    it('loses the open executions of executors silent since before the cutoff', async () => {
      const store = ctx.store;
      const ids = await runningRun(store);
      await store.upsertExecutor({
        appId: ids.app.id,
        address: 'http://dead:1',
        mode: 'push',
        protocol: 'xxl',
        at: 1_000,
      });
      await store.upsertExecutor({
        appId: ids.app.id,
        address: 'http://live:1',
        mode: 'push',
        protocol: 'xxl',
        at: 9_000,
      });
      const dead = await store.insertExecution(execution(ids, { executorAddress: 'http://dead:1' }));
      await store.insertExecution(execution(ids, { executorAddress: 'http://live:1' }));
      await store.insertExecution(execution(ids, { executorAddress: 'http://manual:1' }));
      const lost = await store.loseExecutionsOfDeadExecutors(5_000, 10_000, 'gone');
      expect(lost.map((e) => [e.id, e.status, e.handleMsg])).toEqual([[dead.id, 'lost', 'gone']]);
      expect(await store.loseExecutionsOfDeadExecutors(5_000, 10_000, 'gone')).toEqual([]);
    });

    it('moves the log cursor only from where the caller saw it', async () => {
      const store = ctx.store;
      const ids = await runningRun(store);
      const e = await store.insertExecution(execution(ids));
      expect(await store.advanceExecutionLog(e.id, 0, 5)).toBe(true);
      expect(await store.advanceExecutionLog(e.id, 0, 7)).toBe(false);
      expect((await store.getExecution(e.id))?.logLines).toBe(5);
    });
  });
}
