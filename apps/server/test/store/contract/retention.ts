/**
 * Contract: run history retention — a namespace's settings, and the bounded reads and
 * deletes the pruner is made of: only finished runs go, with their logs and events, and the run
 * statistics (summed when the runs finished) stay as they were.
 */
import { describe, expect, it } from 'vitest';
import type { Store, TaskRecord } from '../../../src/store/store.js';
import { endRuns, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

async function aTask(store: Store, name = 'A task'): Promise<TaskRecord> {
  return store.createTask(taskInput(await seed(store), { name }));
}

export function defineRetentionContract(ctx: ContractContext): void {
  describe('run history retention', () => {
    it('keeps a namespace retention settings, null meaning the default', async () => {
      const store = ctx.store;
      const ns = await store.ensureNamespace('default');
      expect(await store.getRetention(ns.id)).toBeUndefined();
      await store.setRetention(ns.id, { keepDays: 7, keepRunsPerTask: null, keepLogsDays: 1 });
      await store.setRetention(ns.id, { keepDays: 14, keepRunsPerTask: null, keepLogsDays: 1 });
      expect(await store.getRetention(ns.id)).toEqual({
        keepDays: 14,
        keepRunsPerTask: null,
        keepLogsDays: 1,
      });
      expect([...(await store.listRetention())]).toEqual([
        [ns.id, { keepDays: 14, keepRunsPerTask: null, keepLogsDays: 1 }],
      ]);
    });

    it('deletes only finished runs, with their logs, and leaves the statistics alone', async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const [a, b, c] = await scheduledRuns(store, task, 3);
      await store.markRunsStarted([start(a!), start(b!)]);
      await endRuns(store, [{ runId: a!, status: 'succeeded', finishedAt: 60_000, durationMs: 5 }]);
      await store.appendRunLogs([
        { runId: a!, at: 1, stream: 'stdout', text: 'a' },
        { runId: b!, at: 1, stream: 'stdout', text: 'b' },
      ]);
      const before = await store.runStats({ from: 0, to: 3_600_000, bucketMs: 60_000 });

      const scanned = await store.scanRunsToPrune(task.namespaceId, 0, 10);
      expect(scanned.map((r) => [r.id, r.finished, r.endedAt])).toEqual([
        [a, true, 60_000],
        [b, false, 1_001],
        [c, false, 1_002],
      ]);
      expect(await store.deleteFinishedRuns([a!, b!, c!])).toBe(1);
      expect(await store.getRun(a!)).toBeUndefined();
      expect((await store.getRun(b!))?.status).toBe('running');
      expect((await store.listRunLogs(b!, 0, 10)).map((l) => l.text)).toEqual(['b']);
      expect(await store.runStats({ from: 0, to: 3_600_000, bucketMs: 60_000 })).toEqual(before);
      // The details of a run go on their own, the run stays.
      expect(await store.deleteRunDetails([b!])).toBe(1);
      expect(await store.listRunLogs(b!, 0, 10)).toEqual([]);
      expect(await store.getRun(b!)).toBeDefined();
    });

    it("finds a task's finished runs beyond its newest N, oldest first", async () => {
      const store = ctx.store;
      const task = await aTask(store);
      const other = await aTask(store, 'other');
      const ids = await scheduledRuns(store, task, 5);
      await scheduledRuns(store, other, 2);
      await endRuns(
        store,
        ids
          .slice(1)
          .map((runId) => ({ runId, status: 'succeeded' as const, finishedAt: 5_000, durationMs: 1 })),
      );
      // ids[0] is still scheduled: it is older than the newest 2 but never pruned.
      expect(await store.runsBeyondNewest(task.id, 2, 10)).toEqual([ids[1], ids[2]]);
      expect(await store.runsBeyondNewest(task.id, 2, 1)).toEqual([ids[1]]);
      expect(await store.runsBeyondNewest(task.id, 9, 10)).toEqual([]);
      expect(await store.listTaskIdsAfter(task.namespaceId, 0, 10)).toEqual([task.id, other.id]);
      expect(await store.listTaskIdsAfter(task.namespaceId, task.id, 10)).toEqual([other.id]);
    });
  });
}
