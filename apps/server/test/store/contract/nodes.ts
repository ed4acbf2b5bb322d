/**
 * Contract: nodes — registering (a known id keeps its lock key), state changes, the
 * one winner of markNodeDead, and the lease takeover of a dead node's unfinished runs.
 */
import { describe, expect, it } from 'vitest';
import type { NewNode } from '../../../src/store/node-store.js';
import { endRuns, loseAt, runInput, seed, start, taskInput, type ContractContext } from './context.js';

const node = (id: string, overrides: Partial<NewNode> = {}): NewNode => ({
  id,
  version: '0.1.0',
  host: 'host-1',
  pid: 42,
  url: null,
  lockKey: 7,
  startedAt: 1_000,
  ...overrides,
});

export function defineNodeContract(ctx: ContractContext): void {
  describe('nodes', () => {
    it('registers a node starting; a known id is updated and keeps its lock key', async () => {
      const store = ctx.store;
      expect(await store.registerNode(node('a'))).toMatchObject({
        id: 'a',
        state: 'starting',
        lockKey: 7,
        startedAt: 1_000,
        lastHeartbeatAt: 1_000,
        stoppedAt: null,
      });
      await store.updateNode('a', { state: 'dead', at: Date.now() }); // recent: not pruned
      const again = await store.registerNode(node('a', { lockKey: 99, pid: 43, startedAt: 3_000 }));
      expect(again).toMatchObject({
        state: 'starting',
        lockKey: 7,
        pid: 43,
        startedAt: 3_000,
        stoppedAt: null,
      });
    });

    it('updates state, URL and heartbeat, and lists live nodes first', async () => {
      const store = ctx.store;
      await store.registerNode(node('old', { startedAt: 500 }));
      await store.registerNode(node('new', { startedAt: 900 }));
      await store.registerNode(node('gone', { startedAt: 950 }));
      await store.updateNode('old', { state: 'alive', url: 'http://127.0.0.1:1', lastHeartbeatAt: 5_000 });
      await store.updateNode('gone', { state: 'stopped', at: 6_000 });
      const nodes = await store.listNodes();
      expect(nodes.map((n) => n.id)).toEqual(['new', 'old', 'gone']);
      expect(nodes[1]).toMatchObject({ state: 'alive', url: 'http://127.0.0.1:1', lastHeartbeatAt: 5_000 });
      expect(nodes[2]).toMatchObject({ state: 'stopped', stoppedAt: 6_000 });
    });

    it('markNodeDead: of concurrent callers exactly one wins, and never for a stopped node', async () => {
      const store = ctx.store;
      await store.registerNode(node('a'));
      await store.updateNode('a', { state: 'alive' });
      const wins = await Promise.all(Array.from({ length: 6 }, () => store.markNodeDead('a', 2_000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await store.listNodes())[0]).toMatchObject({ state: 'dead', stoppedAt: 2_000 });
      await store.registerNode(node('b'));
      await store.updateNode('b', { state: 'stopped' });
      expect(await store.markNodeDead('b', 3_000)).toBe(false);
    });

    it("expireLeasesOf expires the owner's unfinished runs only, for recovery to take them", async () => {
      const store = ctx.store;
      const task = await store.createTask(taskInput(await seed(store)));
      const insert = async (owner: string) =>
        (await store.insertRun(runInput(task, { leaseOwner: owner, leaseExpiresAt: 90_000 }))).run.id;
      const scheduled = await insert('dead-node');
      const running = await insert('dead-node');
      const finished = await insert('dead-node');
      const other = await insert('live-node');
      await store.markRunsStarted([
        { ...start(running, 'dead-node'), leaseExpiresAt: 90_000 },
        { ...start(finished, 'dead-node'), leaseExpiresAt: 90_000 },
      ]);
      await endRuns(store, [{ runId: finished, status: 'succeeded', finishedAt: 3_000, durationMs: 1 }]);
      expect(await store.expireLeasesOf('dead-node')).toBe(2);
      expect((await store.getRun(scheduled))?.leaseExpiresAt).toBe(0);
      expect((await store.getRun(running))?.leaseExpiresAt).toBe(0);
      expect((await store.getRun(finished))?.leaseExpiresAt).toBe(90_000);
      expect((await store.getRun(other))?.leaseExpiresAt).toBe(90_000);
      const recovered = await store.recoverRuns(
        { owner: 'live-node', now: 5_000, leaseExpiresAt: 35_000, includeLive: false },
        loseAt(5_000),
      );
      expect(recovered.adopted.map((r) => r.id)).toEqual([scheduled]);
      expect(recovered.lost.map((r) => r.run.id)).toEqual([running]);
    });
  });
}
