/**
 * Contract: claimDueTasks — which tasks are planned, that only inserted runs come back, that a
 * slot fires once, that next_fire_at advances, and that a failing plan changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { TaskPlan, TaskRecord } from '../../../src/store/store.js';
import { runInput, seed, taskInput, type ContractContext } from './context.js';

/** Plans one run at the task's next_fire_at and moves it `step` later. */
export function everyStep(step: number) {
  return (task: TaskRecord): TaskPlan => {
    const slot = task.nextFireAt ?? 0;
    return {
      runs: [
        runInput(task, {
          triggerType: 'schedule',
          slotAt: slot,
          scheduledAt: slot,
          leaseOwner: null,
          leaseExpiresAt: null,
        }),
      ],
      nextFireAt: slot + step,
    };
  };
}

export function defineSchedulingContract(ctx: ContractContext): void {
  describe('claimDueTasks', () => {
    it('plans enabled tasks due by the horizon, oldest first, at most `limit`', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const make = (name: string, nextFireAt: number | null, enabled = true) =>
        store.createTask(taskInput(seeded, { name, nextFireAt, enabled }));
      const late = await make('late', 3_000);
      const early = await make('early', 1_000);
      await make('disabled', 500, false);
      await make('future', 50_000);
      await make('unplanned', null);
      const middle = await make('middle', 2_000);

      const seen: string[] = [];
      const runs = await store.claimDueTasks({ horizon: 10_000, limit: 2 }, (task) => {
        seen.push(task.name);
        return everyStep(100_000)(task);
      });
      expect(seen).toEqual(['early', 'middle']);
      expect(runs.map((r) => [r.taskId, r.slotAt])).toEqual([
        [early.id, 1_000],
        [middle.id, 2_000],
      ]);
      expect(runs[0]).toMatchObject({ status: 'scheduled', triggerType: 'schedule', id: expect.any(Number) });
      const next = await store.claimDueTasks({ horizon: 10_000, limit: 10 }, everyStep(100_000));
      expect(next.map((r) => r.taskId)).toEqual([late.id]);
      expect(await store.claimDueTasks({ horizon: 10_000, limit: 10 }, everyStep(100_000))).toEqual([]);
      expect((await store.getTask(early.id))?.nextFireAt).toBe(101_000);
    });

    it('returns only the runs it inserted: an existing slot is not planned twice', async () => {
      const store = ctx.store;
      const task = await store.createTask(taskInput(await seed(store), { nextFireAt: 1_000 }));
      const existing = await store.insertRun(runInput(task, { triggerType: 'schedule', slotAt: 2_000 }));
      const runs = await store.claimDueTasks({ horizon: 1_000, limit: 10 }, (t) => ({
        runs: [1_000, 2_000, 3_000, 3_000].map((slot) =>
          runInput(t, { triggerType: 'schedule', slotAt: slot, scheduledAt: slot }),
        ),
        nextFireAt: 4_000,
      }));
      expect(runs.map((r) => r.slotAt)).toEqual([1_000, 3_000]);
      // What the claim answers is the run as stored, every field.
      for (const run of runs) expect(run).toEqual(await store.getRun(run.id));
      expect(await store.countRuns({ taskId: task.id })).toBe(3);
      expect((await store.getRun(existing.run.id))?.attempt).toBe(1);
      expect((await store.getTask(task.id))?.nextFireAt).toBe(4_000);
    });

    it('can plan nothing and stop the task (a fired one-time task)', async () => {
      const store = ctx.store;
      const task = await store.createTask(taskInput(await seed(store), { nextFireAt: 1_000 }));
      expect(
        await store.claimDueTasks({ horizon: 5_000, limit: 10 }, () => ({ runs: [], nextFireAt: null })),
      ).toEqual([]);
      expect((await store.getTask(task.id))?.nextFireAt).toBeNull();
    });

    it('a plan that throws changes nothing', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const a = await store.createTask(taskInput(seeded, { nextFireAt: 1_000 }));
      const b = await store.createTask(taskInput(seeded, { nextFireAt: 2_000 }));
      const failing = (task: TaskRecord): TaskPlan => {
        if (task.id === b.id) throw new Error('bad cron');
        return everyStep(1_000)(task);
      };
      await expect(store.claimDueTasks({ horizon: 5_000, limit: 10 }, failing)).rejects.toThrow('bad cron');
      expect(await store.countRuns({})).toBe(0);
      expect((await store.getTask(a.id))?.nextFireAt).toBe(1_000);
    });

    it('concurrent claims on one store insert every slot once', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      let expected = 0;
      for (let i = 0; i < 20; i++) {
        await store.createTask(taskInput(seeded, { nextFireAt: 1_000 + i }));
        for (let slot = 1_000 + i; slot <= 10_000; slot += 1_000) expected += 1;
      }
      const claim = () => store.claimDueTasks({ horizon: 10_000, limit: 7 }, everyStep(1_000));
      const returned = [];
      for (let round = 0; round < 20; round++)
        returned.push(...(await Promise.all([claim(), claim(), claim()])).flat());
      const keys = returned.map((r) => `${r.taskId}@${r.slotAt}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(expected);
      expect(await store.countRuns({})).toBe(expected);
    });
  });
}
