/**
 * Contract: the pace a cluster's nodes share — a pool's row taken by leases (created on the
 * first, from that lease's one decision, each later lease seeing the row the one before wrote), the places other nodes hold (expired
 * ones not counted, a node holding none has no row), the rows going with their pool; and budget
 * counters added to and read per scope and period, past periods forgotten.
 */
import { describe, expect, it } from 'vitest';
import type { PoolPaceRow } from '../../../src/store/cluster-pace-queries.js';
import { budgetCountKey } from '../../../src/store/cluster-pace-queries.js';
import { seed, type ContractContext } from './context.js';

export function defineClusterPaceContract(ctx: ContractContext): void {
  describe('shared pace of a cluster', () => {
    it('leases a pool row in turn and counts the places other nodes hold', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const pool = await store.createPool({
        namespaceId: seeded.ns.id,
        name: 'llm',
        description: null,
        requestsPerMinute: 60,
        tokensPerMinute: null,
        concurrency: 4,
      });
      const seen: (PoolPaceRow | undefined)[] = [];
      const lease = (nodeId: string, now: number, held: number, requests: number) =>
        store.leasePoolPace({
          poolId: pool.id,
          nodeId,
          now,
          slotTtlMs: 1000,
          decide: (row, othersHeld) => {
            seen.push(row);
            return {
              row: { requests, tokens: 0, refilledAt: now, backoffUntil: now + 5 },
              held: held - othersHeld,
            };
          },
        });

      const first = await lease('a', 1000, 3, 7);
      expect(first).toEqual({
        row: { requests: 7, tokens: 0, refilledAt: 1000, backoffUntil: 1005 },
        held: 3,
        othersHeld: 0,
      });
      // Decided once: what it took is taken once from the new row.
      expect(seen).toEqual([undefined]);

      seen.length = 0;
      const second = await lease('b', 1500, 4, 2.5);
      expect(second).toMatchObject({ held: 1, othersHeld: 3 });
      expect(seen).toEqual([{ requests: 7, tokens: 0, refilledAt: 1000, backoffUntil: 1005 }]);

      // a's places expired at 2000: b no longer counts them; b holding none leaves no row.
      expect(await lease('b', 2000, 4, 1)).toMatchObject({ held: 4, othersHeld: 0 });
      expect(await lease('b', 2100, 0, 1)).toMatchObject({ held: 0, othersHeld: 0 });
      expect(await lease('a', 2200, 2, 1)).toMatchObject({ held: 2, othersHeld: 0 });

      expect(await store.deletePool(pool.id)).toBe(true);
      seen.length = 0;
      const other = await store.createPool({ ...pool, description: null, name: 'other' });
      await store.leasePoolPace({
        poolId: other.id,
        nodeId: 'a',
        now: 3000,
        slotTtlMs: 1000,
        decide: (row) => {
          seen.push(row);
          return { row: { requests: 1, tokens: 0, refilledAt: 3000, backoffUntil: 0 }, held: 0 };
        },
      });
      expect(seen[0]).toBeUndefined();
    });

    it('adds to budget counters per scope and period and forgets past periods', async () => {
      const store = ctx.store;
      const day = { periodStart: 0, periodEnd: 86_400_000 };
      const next = { periodStart: 86_400_000, periodEnd: 172_800_000 };
      const read = [
        { scope: 'task:1', periodStart: 0 },
        { scope: 'app:1', periodStart: 0 },
      ];
      const after = await store.addBudgetCounts(
        [
          { scope: 'task:1', ...day, tokens: 300, cost: 0.5 },
          { scope: 'app:1', ...day, tokens: 300, cost: 0.5 },
        ],
        read,
        0,
      );
      expect(after.get(budgetCountKey('task:1', 0))).toEqual({ tokens: 300, cost: 0.5 });
      const again = await store.addBudgetCounts(
        [{ scope: 'task:1', ...day, tokens: 26, cost: 0.25 }],
        read,
        0,
      );
      expect(again.get(budgetCountKey('task:1', 0))).toEqual({ tokens: 326, cost: 0.75 });
      expect(again.get(budgetCountKey('app:1', 0))).toEqual({ tokens: 300, cost: 0.5 });

      const later = await store.addBudgetCounts(
        [{ scope: 'task:1', ...next, tokens: 1, cost: 0 }],
        [...read, { scope: 'task:1', periodStart: next.periodStart }],
        next.periodStart,
      );
      expect([...later.entries()]).toEqual([
        [budgetCountKey('task:1', next.periodStart), { tokens: 1, cost: 0 }],
      ]);
    });
  });
}
