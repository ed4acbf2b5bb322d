/**
 * Contract: provider pools and budgets — pools unique per namespace, a pool named by a task
 * cannot be deleted, budgets on tasks, apps and namespaces listed, and a budget's usage summed
 * from the run statistics of runs settled in its period, per task, app and namespace.
 */
import { describe, expect, it } from 'vitest';
import { StoreConflictError } from '../../../src/store/store.js';
import { endRuns, scheduledRuns, seed, start, taskInput, type ContractContext } from './context.js';

const MINUTE = 60_000;

export function definePacingContract(ctx: ContractContext): void {
  describe('pools and budgets', () => {
    it('keeps pools by name per namespace and refuses deleting one a task names', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const pool = await store.createPool({
        namespaceId: seeded.ns.id,
        name: 'openai',
        description: null,
        requestsPerMinute: 600,
        tokensPerMinute: null,
        concurrency: 3,
      });
      expect(pool).toMatchObject({
        name: 'openai',
        requestsPerMinute: 600,
        tokensPerMinute: null,
        concurrency: 3,
      });
      await expect(store.createPool({ ...pool, description: null, name: 'openai' })).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      const other = await store.ensureNamespace('other');
      await store.createPool({ ...pool, namespaceId: other.id });
      expect((await store.listPools(seeded.ns.id)).map((p) => p.name)).toEqual(['openai']);
      expect((await store.updatePool(pool.id, { concurrency: null }))?.concurrency).toBeNull();

      const task = await store.createTask(taskInput(seeded, { poolId: pool.id, priority: 7 }));
      expect(await store.getTask(task.id)).toMatchObject({ poolId: pool.id, priority: 7, budget: null });
      await expect(store.deletePool(pool.id)).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.getPoolByName(seeded.ns.id, 'openai')).toBeDefined();
      await store.updateTask(task.id, { poolId: null });
      expect(await store.deletePool(pool.id)).toBe(true);
      expect(await store.getPool(pool.id)).toBeUndefined();
    });

    it('lists the budgets of a namespace and sums the usage of runs settled in a period', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const budget = {
        tokens: 1000,
        period: 'day',
        timezone: 'UTC',
        onExceeded: 'skip',
        stopWhenExceeded: false,
      } as const;
      const task = await store.createTask(taskInput(seeded, { budget }));
      const plain = await store.createTask(taskInput(seeded, { name: 'plain' }));
      await store.updateApp(seeded.app.id, { budget: { ...budget, tokens: 5000 } });
      await store.setNamespaceBudget(seeded.ns.id, { ...budget, tokens: 9000 });
      const scopes = await store.listBudgetedScopes(seeded.ns.id);
      expect(scopes.map((s) => [s.scope.kind, s.budget.tokens])).toEqual([
        ['namespace', 9000],
        ['app', 5000],
        ['task', 1000],
      ]);

      const [a, b] = await scheduledRuns(store, task, 2);
      const [c] = await scheduledRuns(store, plain, 1);
      await store.markRunsStarted([start(a!), start(b!), start(c!)]);
      const usage = (tokens: number, price: number) => ({
        totalTokens: tokens,
        totalPrice: price,
        currency: 'USD',
      });
      await endRuns(store, [
        { runId: a!, status: 'succeeded', finishedAt: 2 * MINUTE, durationMs: 1, usage: usage(100, 0.25) },
        { runId: b!, status: 'failed', finishedAt: 70 * MINUTE, durationMs: 1, usage: usage(40, 0.5) },
        { runId: c!, status: 'succeeded', finishedAt: 3 * MINUTE, durationMs: 1, usage: usage(7, 1) },
      ]);
      expect(await store.sumRunUsage({ kind: 'task', taskId: task.id }, 0, 60 * MINUTE)).toEqual({
        tokens: 100,
        cost: 0.25,
      });
      expect(await store.sumRunUsage({ kind: 'task', taskId: task.id }, 0, 1440 * MINUTE)).toEqual({
        tokens: 140,
        cost: 0.75,
      });
      expect(await store.sumRunUsage({ kind: 'app', appId: seeded.app.id }, 0, 1440 * MINUTE)).toEqual({
        tokens: 147,
        cost: 1.75,
      });
      expect(
        await store.sumRunUsage({ kind: 'namespace', namespaceId: seeded.ns.id }, 60 * MINUTE, 1440 * MINUTE),
      ).toEqual({ tokens: 40, cost: 0.5 });

      await store.setNamespaceBudget(seeded.ns.id, null);
      await store.updateApp(seeded.app.id, { budget: null });
      await store.updateTask(task.id, { budget: null });
      expect(await store.listBudgetedScopes(seeded.ns.id)).toEqual([]);
    });
  });
}
