/**
 * Contract: batches and their items — a batch is written `preparing` with its items, then
 * shown; items go pending → running → an end with the batch's counters in the same write; a
 * status changes only from the statuses the caller expects; completion waits for the last item;
 * cancel takes the pending items with it; retry-failed puts the failed ones back; one node at a
 * time holds the lease to feed a batch, until it expires or is given up.
 */
import { describe, expect, it } from 'vitest';
import type { BatchItemEnd, NewBatchItem } from '../../../src/store/batch-store.js';
import type { Store, TaskRecord } from '../../../src/store/store.js';
import { endRuns, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

async function aBatch(store: Store, items: NewBatchItem[]): Promise<{ task: TaskRecord; id: number }> {
  const task = await store.createTask(taskInput(await seed(store)));
  const batch = await store.createBatch({
    namespaceId: task.namespaceId,
    taskId: task.id,
    name: 'b',
    concurrency: 2,
    pool: null,
    input: { shared: 1 },
    source: { type: 'upload', format: 'jsonl' },
    total: items.length,
    createdBy: 'test',
    createdAt: 1_000,
  });
  await store.appendBatchItems(batch.id, items);
  return { task, id: batch.id };
}

const valid = (seq: number): NewBatchItem => ({ seq, input: { n: seq }, error: null });
const end = (seq: number, runId: number, status: BatchItemEnd['status'], tokens = 10): BatchItemEnd => ({
  seq,
  runId,
  status,
  output: { seq },
  error: status === 'failed' ? { type: 'http', message: 'no' } : null,
  tokens,
  cost: 0.5,
  currency: 'USD',
  finishedAt: 5_000,
});

export function defineBatchContract(ctx: ContractContext): void {
  describe('batches', () => {
    it("copies a batch's items into a replay: pending with their inputs, invalid ones with their error", async () => {
      const store = ctx.store;
      const invalidItem = {
        seq: 2,
        input: null,
        error: { type: 'invalid_item', message: 'line 2: not JSON' },
      };
      const { id, task } = await aBatch(store, [valid(1), invalidItem, valid(3)]);
      await store.setBatchStatus(id, 'running', ['preparing'], 2_000);
      const [run] = await scheduledRuns(store, task, 1);
      await store.markItemsRunning(id, [{ seq: 1, runId: run! }]);
      const replay = await store.createBatch({
        namespaceId: task.namespaceId,
        taskId: task.id,
        name: 'r',
        concurrency: 2,
        pool: null,
        input: null,
        source: { type: 'batch', batchId: id, workflowId: null },
        total: 3,
        createdBy: 'test',
        createdAt: 3_000,
      });
      await store.copyBatchItems(id, replay.id);
      const items = await store.listBatchItems(replay.id, { afterSeq: 0, limit: 10 });
      expect(items.map((i) => [i.seq, i.status, i.input, i.error, i.runId, i.attempt])).toEqual([
        [1, 'pending', { n: 1 }, null, null, 1],
        [2, 'invalid', null, invalidItem.error, null, 1],
        [3, 'pending', { n: 3 }, null, null, 1],
      ]);
      expect(await store.getBatch(replay.id)).toMatchObject({
        invalid: 1,
        source: { type: 'batch', batchId: id, workflowId: null },
      });
    });

    it('gives the lease to feed a batch to one node until it expires or is given up', async () => {
      const store = ctx.store;
      const first = await aBatch(store, [valid(1)]);
      const second = await aBatch(store, [valid(1)]);
      const ids = [first.id, second.id];
      expect(await store.claimBatchFeeds('a', [first.id], 1_000, 500)).toEqual([first.id]);
      // b gets only the batch a does not hold; a renews its own.
      expect(await store.claimBatchFeeds('b', ids, 1_200, 500)).toEqual([second.id]);
      expect((await store.claimBatchFeeds('a', ids, 1_400, 500)).sort()).toEqual([first.id]);
      // a's lease ran out at 1,900: b takes the batch; b's on the other ran out at 1,700.
      expect(await store.claimBatchFeeds('b', [first.id], 1_900, 500)).toEqual([first.id]);
      expect(await store.claimBatchFeeds('a', ids, 2_000, 500)).toEqual([second.id]);
      await store.releaseBatchFeeds('b');
      expect((await store.claimBatchFeeds('a', ids, 2_000, 500)).sort((x, y) => x - y)).toEqual(ids);
      expect(await store.claimBatchFeeds('a', [], 2_000, 500)).toEqual([]);
    });

    it('keeps a preparing batch out of lists and feeding until it runs', async () => {
      const store = ctx.store;
      const { id, task } = await aBatch(store, [
        valid(1),
        { seq: 2, input: null, error: { type: 'invalid_item', message: 'line 2: not JSON' } },
        valid(3),
      ]);
      expect((await store.listBatches({}, { limit: 10 })).items).toEqual([]);
      expect(await store.listBatchesToFeed()).toEqual([]);
      expect(await store.listStalePreparing(2_000)).toEqual([id]);
      expect(await store.setBatchStatus(id, 'paused', ['running'], 2_000)).toBeUndefined();
      const running = await store.setBatchStatus(id, 'running', ['preparing'], 2_000);
      expect(running).toMatchObject({ id, status: 'running', total: 3, invalid: 1, input: { shared: 1 } });
      expect((await store.listBatches({ taskId: task.id }, { limit: 10 })).items.map((b) => b.id)).toEqual([
        id,
      ]);
      expect((await store.listBatches({ statuses: ['paused'] }, { limit: 10 })).items).toEqual([]);
      expect((await store.listBatchesToFeed()).map((b) => b.id)).toEqual([id]);
      expect((await store.nextPendingItems(id, 5)).map((i) => [i.seq, i.input])).toEqual([
        [1, { n: 1 }],
        [3, { n: 3 }],
      ]);
      expect(await store.listBatchItems(id, { statuses: ['invalid'], afterSeq: 0, limit: 5 })).toMatchObject([
        { seq: 2, status: 'invalid', error: { message: 'line 2: not JSON' } },
      ]);
      expect(await store.deleteBatch(id)).toBe(true);
      expect(await store.getBatch(id)).toBeUndefined();
      expect(await store.listBatchItems(id, { afterSeq: 0, limit: 5 })).toEqual([]);
    });

    it('runs items, ends them once with the counters, follows retries, completes after the last', async () => {
      const store = ctx.store;
      const { id, task } = await aBatch(store, [valid(1), valid(2)]);
      await store.setBatchStatus(id, 'running', ['preparing'], 2_000);
      const [r1, r2, r3] = await scheduledRuns(store, task, 3);
      expect(await store.markItemsRunning(id, [{ seq: 1, runId: r1! }])).toEqual([1]);
      // Twice (a second node, a replay): the item is running already.
      expect(
        await store.markItemsRunning(id, [
          { seq: 1, runId: r1! },
          { seq: 2, runId: r2! },
        ]),
      ).toEqual([2]);
      expect(await store.countItems(id, 'running')).toBe(2);
      expect(await store.nextPendingItems(id, 5)).toEqual([]);

      await store.markRunsStarted([start(r1!), start(r2!)]);
      await endRuns(store, [{ runId: r1!, status: 'succeeded' }]);
      const running = await store.runningItems(id);
      expect(running.map((i) => [i.seq, i.runId, i.run?.status])).toEqual([
        [1, r1, 'succeeded'],
        [2, r2, 'running'],
      ]);
      // The retry of item 2's run: the item follows it (only from the run it pointed at).
      await store.followRetries(id, [{ seq: 2, fromRunId: r2!, runId: r3! }]);
      await store.followRetries(id, [{ seq: 2, fromRunId: r1!, runId: 999 }]);
      expect((await store.runningItems(id)).map((i) => i.runId)).toEqual([r1, r3]);

      // Not completed while an item still runs.
      expect(await store.setBatchStatus(id, 'completed', ['running'], 6_000)).toBeUndefined();
      expect(await store.finishItems(id, [end(1, r1!, 'succeeded'), end(2, r2!, 'failed')], 6_000)).toBe(1);
      expect(await store.finishItems(id, [end(1, r1!, 'succeeded')], 6_000)).toBe(0);
      expect(await store.finishItems(id, [end(2, r3!, 'failed', 5)], 6_000)).toBe(1);
      const done = await store.setBatchStatus(id, 'completed', ['running'], 7_000);
      expect(done).toMatchObject({ status: 'completed', succeeded: 1, failed: 1, tokens: 15, cost: 1 });
      expect(done).toMatchObject({ currency: 'USD', finishedAt: 7_000 });
      expect(await store.listBatchesToFeed()).toEqual([]);
      expect((await store.listBatchItems(id, { afterSeq: 1, limit: 5 }))[0]).toMatchObject({
        seq: 2,
        status: 'failed',
        runId: r3,
        error: { type: 'http' },
        tokens: 5,
        output: { seq: 2 },
        finishedAt: 5_000,
      });

      // Retry the failed ones: a new attempt, pending again, the batch running again.
      expect(await store.retryFailedItems(id, 8_000)).toBe(1);
      expect(await store.getBatch(id)).toMatchObject({
        status: 'running',
        failed: 0,
        succeeded: 1,
        finishedAt: null,
      });
      expect((await store.nextPendingItems(id, 5)).map((i) => [i.seq, i.attempt, i.runId])).toEqual([
        [2, 2, null],
      ]);
      expect(await store.retryFailedItems(id, 8_000)).toBe(0);
    });

    it('cancels the pending items with the batch, and only from the expected statuses', async () => {
      const store = ctx.store;
      const { id, task } = await aBatch(store, [valid(1), valid(2), valid(3)]);
      await store.setBatchStatus(id, 'running', ['preparing'], 2_000);
      const [r1] = await scheduledRuns(store, task, 1);
      await store.markItemsRunning(id, [{ seq: 1, runId: r1! }]);
      expect(await store.setBatchStatus(id, 'paused', ['running'], 3_000)).toMatchObject({
        status: 'paused',
      });
      expect(await store.setBatchStatus(id, 'paused', ['running'], 3_000)).toBeUndefined();
      // A paused batch with a running item is still looked at (its item ends).
      expect((await store.listBatchesToFeed()).map((b) => b.id)).toEqual([id]);
      const cancelled = await store.setBatchStatus(id, 'cancelled', ['running', 'paused'], 4_000);
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: 2, finishedAt: 4_000 });
      expect(
        (await store.listBatchItems(id, { statuses: ['cancelled'], afterSeq: 0, limit: 5 })).map(
          (i) => i.seq,
        ),
      ).toEqual([2, 3]);
      await store.finishItems(id, [end(1, r1!, 'cancelled')], 5_000);
      expect(await store.getBatch(id)).toMatchObject({ cancelled: 3 });
      expect(await store.listBatchesToFeed()).toEqual([]);
      expect(await store.setBatchStatus(id, 'running', ['paused'], 6_000)).toBeUndefined();
    });

    it('finds a run by its idempotency key and goes with its task', async () => {
      const store = ctx.store;
      const { id, task } = await aBatch(store, [valid(1)]);
      const [r1] = await scheduledRuns(store, task, 1, { idempotencyKey: `batch:${id}:1:1` });
      expect((await store.runsByKeys(task.id, [`batch:${id}:1:1`, 'other'])).map((r) => r.id)).toEqual([r1]);
      expect(await store.runsByKeys(task.id, [])).toEqual([]);
      await store.deleteTask(task.id);
      expect(await store.getBatch(id)).toBeUndefined();
      expect(await store.listBatchItems(id, { afterSeq: 0, limit: 5 })).toEqual([]);
    });
  });
}
