/**
 * Contract: leases — renewal by the owner, recovery of expired leases (scheduled runs adopted,
 * running runs lost), and `includeLive` for a SQLite server taking over at start.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { endRuns, loseAt, runInput, seed, start, taskInput, type ContractContext } from './context.js';

async function leasedRuns(store: Store) {
  const task = await store.createTask(taskInput(await seed(store)));
  const insert = async (leaseOwner: string | null, leaseExpiresAt: number | null) =>
    (await store.insertRun(runInput(task, { leaseOwner, leaseExpiresAt }))).run.id;
  return { task, insert };
}

export function defineLeaseContract(ctx: ContractContext): void {
  describe('leases', () => {
    it("renewLeases extends the owner's non-terminal runs only", async () => {
      const store = ctx.store;
      const { insert } = await leasedRuns(store);
      const scheduled = await insert('node-a', 10_000);
      const running = await insert('node-a', 10_000);
      const finished = await insert('node-a', 10_000);
      const others = await insert('node-b', 10_000);
      await store.markRunsStarted([{ ...start(running), leaseExpiresAt: 10_000 }, { ...start(finished) }]);
      await endRuns(store, [{ runId: finished, status: 'succeeded', finishedAt: 3_000, durationMs: 1 }]);
      expect(await store.renewLeases('node-a', 20_000)).toBe(2);
      expect((await store.getRun(scheduled))?.leaseExpiresAt).toBe(20_000);
      expect((await store.getRun(running))?.leaseExpiresAt).toBe(20_000);
      expect((await store.getRun(finished))?.leaseExpiresAt).toBe(60_000);
      expect((await store.getRun(others))?.leaseExpiresAt).toBe(10_000);
      expect(await store.renewLeases('node-z', 20_000)).toBe(0);
    });

    it('recoverRuns adopts expired scheduled runs and loses expired running ones', async () => {
      const store = ctx.store;
      const { insert } = await leasedRuns(store);
      const expiredScheduled = await insert('node-b', 4_000);
      const expiredRunning = await insert('node-b', 4_000);
      const unleased = await insert(null, null);
      const live = await insert('node-b', 9_000);
      const finished = await insert('node-b', 4_000);
      await store.markRunsStarted([
        { ...start(expiredRunning, 'node-b'), leaseExpiresAt: 4_000 },
        start(finished, 'node-b'),
      ]);
      await endRuns(store, [{ runId: finished, status: 'succeeded', finishedAt: 3_000, durationMs: 1 }]);

      const result = await store.recoverRuns(
        {
          owner: 'node-a',
          now: 5_000,
          leaseExpiresAt: 35_000,
          includeLive: false,
        },
        loseAt(5_000),
      );
      expect(result.adopted.map((r) => r.id)).toEqual([expiredScheduled, unleased]);
      for (const run of result.adopted) {
        expect(run).toMatchObject({ status: 'scheduled', leaseOwner: 'node-a', leaseExpiresAt: 35_000 });
      }
      expect(result.lost).toEqual([
        {
          run: expect.objectContaining({
            id: expiredRunning,
            status: 'lost',
            finishedAt: 5_000,
            error: expect.objectContaining({ type: 'lost' }),
            leaseOwner: 'node-b',
          }),
          retry: null,
        },
      ]);
      expect(await store.getRun(expiredRunning)).toEqual(result.lost[0]?.run);
      expect(await store.getRun(live)).toMatchObject({ status: 'scheduled', leaseOwner: 'node-b' });
      expect((await store.getRun(finished))?.status).toBe('succeeded');

      const again = await store.recoverRuns(
        {
          owner: 'node-c',
          now: 6_000,
          leaseExpiresAt: 36_000,
          includeLive: false,
        },
        loseAt(6_000),
      );
      expect(again).toEqual({ adopted: [], lost: [] });
    });

    it('with includeLive, takes every lease not held by the owner', async () => {
      const store = ctx.store;
      const { insert } = await leasedRuns(store);
      const othersLive = await insert('old-process', 90_000);
      const othersRunning = await insert('old-process', 90_000);
      const own = await insert('node-a', 90_000);
      await store.markRunsStarted([{ ...start(othersRunning, 'old-process'), leaseExpiresAt: 90_000 }]);
      const result = await store.recoverRuns(
        {
          owner: 'node-a',
          now: 5_000,
          leaseExpiresAt: 35_000,
          includeLive: true,
        },
        loseAt(5_000),
      );
      expect(result.adopted.map((r) => r.id)).toEqual([othersLive]);
      expect(result.lost.map((r) => r.run.id)).toEqual([othersRunning]);
      expect(await store.getRun(own)).toMatchObject({ leaseOwner: 'node-a', leaseExpiresAt: 90_000 });
    });
  });
}
