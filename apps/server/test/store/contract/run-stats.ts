/**
 * Contract: the run_stats rollup — runs are counted once as they settle (finish, skipped
 * by the claim, lost by recovery), with tokens, cost and durations, and read back per bucket and
 * per task by runStats.
 */
import { describe, expect, it } from 'vitest';
import type { Store, TaskRecord } from '../../../src/store/store.js';
import {
  endRuns,
  loseAt,
  runInput,
  scheduledRuns,
  seed,
  start,
  taskInput,
  type ContractContext,
} from './context.js';

const MINUTE = 60_000;
const ALL = { from: 0, to: 100 * MINUTE, bucketMs: MINUTE };

async function aTask(store: Store, name = 'A task'): Promise<TaskRecord> {
  return store.createTask(taskInput(await seed(store), { name }));
}

export function defineRunStatsContract(ctx: ContractContext): void {
  describe('run statistics', () => {
    it('counts finished runs once, by finish minute and status, with tokens, cost and duration', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [a, b, c] = await scheduledRuns(store, task, 3);
      await store.markRunsStarted([start(a!), start(b!), start(c!)]);
      const usage = { totalTokens: 100, totalPrice: 0.5, currency: 'USD' };
      await endRuns(store, [
        { runId: a!, status: 'succeeded', finishedAt: 2 * MINUTE + 5, durationMs: 400, usage },
        { runId: b!, status: 'succeeded', finishedAt: 2 * MINUTE + 50_000, durationMs: 600, usage },
        { runId: c!, status: 'failed', finishedAt: 3 * MINUTE, durationMs: 1_000 },
      ]);
      // A second finish of a finished run changes nothing, the rollup included.
      expect(
        await endRuns(store, [{ runId: a!, status: 'failed', finishedAt: 9 * MINUTE, durationMs: 1 }]),
      ).toEqual([false]);

      const stats = await store.runStats(ALL);
      expect(stats.buckets).toEqual([
        { bucketAt: 2 * MINUTE, status: 'succeeded', runs: 2, tokens: 200, cost: 1, durationMs: 1_000 },
        { bucketAt: 3 * MINUTE, status: 'failed', runs: 1, tokens: 0, cost: 0, durationMs: 1_000 },
      ]);
      expect(stats.tasks).toEqual([
        { taskId: task.id, runs: 3, failed: 1, durationMs: 2_000, maxDurationMs: 1_000 },
      ]);
      // Over days: the per-task sums come from the daily rollup, the same.
      const days = await store.runStats({ from: 0, to: 3 * 1440 * MINUTE, bucketMs: 1440 * MINUTE });
      expect(days.tasks).toEqual(stats.tasks);
      expect(days.buckets.map((r) => [r.bucketAt, r.status, r.runs])).toEqual([
        [0, 'failed', 1],
        [0, 'succeeded', 2],
      ]);
      const hourly = await store.runStats({ ...ALL, bucketMs: 60 * MINUTE });
      expect(hourly.buckets.map((r) => [r.bucketAt, r.status, r.runs])).toEqual(
        [
          [0, 'failed', 1],
          [0, 'succeeded', 2],
        ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      );
    });

    it('filters by namespace, app and task, and by the range of finish minutes', async () => {
      const store = ctx.store;
      const one = await aTask(store, 'one');
      const two = await aTask(store, 'two');
      for (const task of [one, two]) {
        const [id] = await scheduledRuns(store, task, 1);
        await endRuns(store, [
          { runId: id!, status: 'cancelled', finishedAt: 10 * MINUTE, durationMs: null },
        ]);
      }
      expect((await store.runStats({ ...ALL, taskId: one.id })).tasks.map((t) => t.taskId)).toEqual([one.id]);
      expect((await store.runStats({ ...ALL, appId: two.appId })).tasks.map((t) => t.taskId)).toEqual([
        two.id,
      ]);
      expect((await store.runStats({ ...ALL, namespaceId: one.namespaceId })).tasks).toHaveLength(2);
      expect((await store.runStats({ ...ALL, from: 11 * MINUTE })).buckets).toEqual([]);
      expect((await store.runStats({ ...ALL, to: 10 * MINUTE })).buckets).toEqual([]);
    });

    it('sums a range of hours from the hourly rollup and its edges from the minutes, exactly', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const finishes = [10, 40, 70, 125, 160].map((m) => m * MINUTE);
      const ids = await scheduledRuns(store, task, finishes.length);
      await endRuns(
        store,
        ids.map((runId, i) => ({
          runId: runId!,
          status: i === 2 ? 'failed' : 'succeeded',
          finishedAt: finishes[i]!,
          durationMs: (i + 1) * 100,
        })),
      );
      // 30 to 150 minutes: the minutes of [30, 60) and [120, 150), the hour [60, 120).
      const range = { from: 30 * MINUTE, to: 150 * MINUTE, bucketMs: 5 * MINUTE };
      const stats = await store.runStats(range);
      expect(stats.tasks).toEqual([
        { taskId: task.id, runs: 3, failed: 1, durationMs: 200 + 300 + 400, maxDurationMs: 400 },
      ]);
      // Five-minute series of all tasks from the 5-minute sums, the same as one task's from the minutes.
      expect(stats.buckets.map((r) => [r.bucketAt, r.status, r.runs])).toEqual([
        [40 * MINUTE, 'succeeded', 1],
        [70 * MINUTE, 'failed', 1],
        [125 * MINUTE, 'succeeded', 1],
      ]);
      expect((await store.runStats({ ...range, taskId: task.id })).buckets).toEqual(stats.buckets);
      // Hourly series of one task from the hourly per-task sums.
      const hourly = await store.runStats({
        from: 0,
        to: 180 * MINUTE,
        bucketMs: 60 * MINUTE,
        taskId: task.id,
      });
      expect(hourly.buckets.map((r) => [r.bucketAt, r.status, r.runs])).toEqual([
        [0, 'succeeded', 2],
        [60 * MINUTE, 'failed', 1],
        [120 * MINUTE, 'succeeded', 2],
      ]);
    });

    it('counts runs the claim inserts already skipped, and runs recovery finds lost', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const task = await store.createTask(taskInput(seeded, { nextFireAt: 1_000 }));
      await store.claimDueTasks({ horizon: 10_000, limit: 10 }, (t) => ({
        runs: [
          runInput(t, {
            triggerType: 'misfire',
            status: 'skipped',
            slotAt: 1_000,
            error: { type: 'misfire', message: 'missed' },
            finishedAt: 5 * MINUTE,
            leaseOwner: null,
            leaseExpiresAt: null,
          }),
        ],
        nextFireAt: null,
      }));
      const [running] = await scheduledRuns(store, task, 1, { leaseOwner: 'node-b', leaseExpiresAt: 4_000 });
      await store.markRunsStarted([{ ...start(running!, 'node-b'), leaseExpiresAt: 4_000 }]);
      await store.recoverRuns(
        { owner: 'node-a', now: 6 * MINUTE, leaseExpiresAt: 7 * MINUTE, includeLive: false },
        loseAt(6 * MINUTE),
      );

      const stats = await store.runStats(ALL);
      expect(stats.buckets.map((r) => [r.bucketAt, r.status, r.runs])).toEqual([
        [5 * MINUTE, 'skipped', 1],
        [6 * MINUTE, 'lost', 1],
      ]);
      expect(stats.tasks).toEqual([expect.objectContaining({ taskId: task.id, runs: 2, failed: 1 })]);
    });
  });
}
