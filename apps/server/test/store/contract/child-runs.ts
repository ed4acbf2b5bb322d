/**
 * Contract: a settlement's successors — a task's child runs are inserted in the transaction of
 * the parent's final success, once (a second settlement of the same run inserts nothing), and
 * not for a failure that will be retried.
 */
import { describe, expect, it } from 'vitest';
import { decideSettlement } from '../../../src/runs/settlement.js';
import type { RunEnd } from '../../../src/store/store.js';
import { scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

const owner = { owner: 'node-a', leaseMs: 30_000 };
const succeeded: RunEnd = {
  status: 'succeeded',
  finishedAt: 5_000,
  durationMs: 1_000,
  output: { ok: true },
  error: null,
  retryable: false,
};

export function defineChildRunContract(ctx: ContractContext): void {
  describe('settleRuns with child tasks', () => {
    it('inserts one run per child with the parent’s end, leased to the settler', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const a = await store.createTask(taskInput(seeded, { name: 'a' }));
      const b = await store.createTask(taskInput(seeded, { name: 'b' }));
      const parent = await store.createTask(taskInput(seeded, { name: 'p', childTaskIds: [a.id, b.id] }));
      expect((await store.getTask(parent.id))?.childTaskIds).toEqual([a.id, b.id]);
      const [id] = await scheduledRuns(store, parent, 1);
      await store.markRunsStarted([start(id!)]);
      const run = (await store.getRun(id!))!;
      const [result] = await store.settleRuns([decideSettlement(run, parent, 'running', succeeded, owner)]);
      expect(result?.settled).toBe(true);
      expect(result?.successors?.map((r) => r.taskId)).toEqual([a.id, b.id]);
      for (const child of result!.successors!) {
        expect(child).toMatchObject({
          status: 'scheduled',
          triggerType: 'parent',
          triggeredBy: run.id,
          scheduledAt: 5_000,
          leaseOwner: 'node-a',
          leaseExpiresAt: 35_000,
        });
      }
      // A second settlement of the same run does not apply; no second child run.
      const [again] = await store.settleRuns([decideSettlement(run, parent, 'running', succeeded, owner)]);
      expect(again).toEqual({ settled: false, retry: null });
      expect(await store.countRuns({ triggerTypes: ['parent'] })).toBe(2);
    });

    it('inserts none for a failure that will be retried', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const child = await store.createTask(taskInput(seeded, { name: 'c' }));
      const parent = await store.createTask(
        taskInput(seeded, {
          name: 'p',
          childTaskIds: [child.id],
          retry: { maxAttempts: 2, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 1 },
        }),
      );
      const [id] = await scheduledRuns(store, parent, 1);
      await store.markRunsStarted([start(id!)]);
      const run = (await store.getRun(id!))!;
      const failed: RunEnd = {
        ...succeeded,
        status: 'failed',
        error: { type: 'x', message: 'x' },
        retryable: true,
      };
      const [result] = await store.settleRuns([decideSettlement(run, parent, 'running', failed, owner)]);
      expect(result?.retry).not.toBeNull();
      expect(result?.successors).toBeUndefined();
      expect(await store.countRuns({ taskId: child.id })).toBe(0);
    });
  });
}
