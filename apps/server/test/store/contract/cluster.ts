/**
 * Contract: several stores on one database. Where the store is an exclusive writer (SQLite) a
 * second one is refused; elsewhere (PostgreSQL) two nodes claim, admit, start, finish and
 * recover at the same time and no slot, admission or run is ever taken twice.
 */
import { describe, expect, it } from 'vitest';
import { StoreOpenError } from '../../../src/store/store-open-error.js';
import type { AdmissionRequest, Store, TaskRecord } from '../../../src/store/store.js';
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
import { everyStep } from './scheduling.js';

/** Two stores on the test's database: the one opened for the test and another "node". */
async function twoNodes(ctx: ContractContext, skip: () => never): Promise<[Store, Store]> {
  if (ctx.store.capabilities.exclusiveWriter) skip();
  return [ctx.store, await ctx.database.open()];
}

function admission(
  runId: number,
  task: TaskRecord,
  taskMax: number | null,
  appMax: number | null,
): AdmissionRequest {
  return { ...start(runId), taskId: task.id, appId: task.appId, taskMax, appMax };
}

export function defineClusterContract(ctx: ContractContext): void {
  describe('several stores on one database', () => {
    it('an exclusive writer refuses a second store', async ({ skip }) => {
      if (!ctx.store.capabilities.exclusiveWriter) skip();
      await expect(ctx.database.open()).rejects.toThrow(StoreOpenError);
      await ctx.store.close();
      const next = await ctx.database.open();
      expect(await next.countTasks()).toBe(0);
    });

    it('two nodes claiming at once insert every slot exactly once', async ({ skip }) => {
      const [a, b] = await twoNodes(ctx, skip);
      const seeded = await seed(a);
      const horizon = 20_000;
      let expected = 0;
      for (let i = 0; i < 30; i++) {
        await a.createTask(taskInput(seeded, { nextFireAt: 1_000 + i }));
        for (let slot = 1_000 + i; slot <= horizon; slot += 1_000) expected += 1;
      }
      const returned = [];
      for (let round = 0; round < 500; round++) {
        const batches = await Promise.all(
          [a, b].map((node) => node.claimDueTasks({ horizon, limit: 8 }, everyStep(1_000))),
        );
        returned.push(...batches.flat());
        if (batches.every((batch) => batch.length === 0)) break;
      }
      const keys = returned.map((r) => `${r.taskId}@${r.slotAt}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(expected);
      expect(await a.countRuns({})).toBe(expected);
    });

    it('a slot planned by both nodes again and again is inserted once', async ({ skip }) => {
      const [a, b] = await twoNodes(ctx, skip);
      const seeded = await seed(a);
      for (let i = 0; i < 10; i++) await a.createTask(taskInput(seeded, { nextFireAt: 1_000 }));
      // next_fire_at never advances, so every claim plans slot 1000 of every task again.
      const stuck = (task: TaskRecord) => ({ ...everyStep(1_000)(task), nextFireAt: task.nextFireAt });
      const returned = [];
      for (let round = 0; round < 10; round++) {
        returned.push(
          ...(
            await Promise.all([a, b].map((node) => node.claimDueTasks({ horizon: 5_000, limit: 10 }, stuck)))
          ).flat(),
        );
      }
      expect(returned).toHaveLength(10);
      const task = (await a.listTasks({}, { limit: 1 })).items[0] as TaskRecord;
      const inserts = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).insertRun(runInput(task, { slotAt: 7_000 })),
        ),
      );
      expect(inserts.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(inserts.map((r) => r.run.id)).size).toBe(1);
      expect(await a.countRuns({})).toBe(11);
    });

    it("two nodes admitting at once never exceed a task's limit", async ({ skip }) => {
      const [a, b] = await twoNodes(ctx, skip);
      const seeded = await seed(a);
      for (let round = 0; round < 3; round++) {
        const tasks: TaskRecord[] = [];
        const runs = new Map<number, number[]>();
        for (let i = 0; i < 5; i++) {
          const task = await a.createTask(taskInput(seeded));
          tasks.push(task);
          runs.set(task.id, await scheduledRuns(a, task, 6));
        }
        const half = (parity: number) =>
          tasks.flatMap((task) =>
            (runs.get(task.id) ?? [])
              .filter((_, i) => i % 2 === parity)
              .map((id) => admission(id, task, 1, null)),
          );
        const results = (await Promise.all([a.admitRuns(half(0)), b.admitRuns(half(1))])).flat();
        expect(results.filter((r) => r === 'started')).toHaveLength(tasks.length);
        const running = await a.countRunning();
        for (const task of tasks) expect(running.byTask.get(task.id)).toBe(1);
      }
    });

    it("two nodes admitting at once never exceed an app's limit", async ({ skip }) => {
      const [a, b] = await twoNodes(ctx, skip);
      const seeded = await seed(a);
      for (let round = 0; round < 3; round++) {
        const requests: AdmissionRequest[] = [];
        for (let i = 0; i < 4; i++) {
          const task = await a.createTask(taskInput(seeded));
          for (const id of await scheduledRuns(a, task, 3))
            requests.push(admission(id, task, null, 2 + 2 * round));
        }
        await Promise.all([
          a.admitRuns(requests.filter((_, i) => i % 2 === 0)),
          b.admitRuns(requests.filter((_, i) => i % 2 === 1)),
        ]);
        expect((await a.countRunning()).byApp.get(seeded.app.id)).toBe(2 + 2 * round);
      }
    });

    it('two nodes starting, finishing and recovering the same runs each take a run once', async ({
      skip,
    }) => {
      const [a, b] = await twoNodes(ctx, skip);
      const task = await a.createTask(taskInput(await seed(a)));
      const ids = await scheduledRuns(a, task, 40, { leaseOwner: 'dead-node', leaseExpiresAt: 1_000 });

      const recovered = await Promise.all(
        [a, b].map((node, i) =>
          node.recoverRuns(
            { owner: `node-${i}`, now: 5_000, leaseExpiresAt: 60_000, includeLive: false },
            loseAt(5_000),
          ),
        ),
      );
      const adopted = recovered.flatMap((r) => r.adopted.map((run) => run.id));
      expect(adopted.sort((x, y) => x - y)).toEqual(ids);

      const started = await Promise.all(
        [a, b].map((node) => node.markRunsStarted(ids.map((id) => start(id)))),
      );
      ids.forEach((_, i) => expect(Number(started[0]?.[i]) + Number(started[1]?.[i])).toBe(1));

      const finishes = ids.map((runId) => ({
        runId,
        status: 'succeeded' as const,
        finishedAt: 9_000,
        durationMs: 1,
      }));
      const finished = await Promise.all([endRuns(a, finishes), endRuns(b, [...finishes].reverse())]);
      ids.forEach((_, i) =>
        expect(Number(finished[0]?.[i]) + Number(finished[1]?.[ids.length - 1 - i])).toBe(1),
      );
    });
  });
}
