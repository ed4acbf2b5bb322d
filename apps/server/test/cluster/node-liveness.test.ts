/**
 * The liveness watcher with a manual clock and a fake probe: it looks every second, takes over a
 * dead node once (the store's markNodeDead picks one winner), and re-takes its own lost lock.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { NodeLiveness } from '../../src/cluster/node-liveness.js';
import type { LivenessProbe } from '../../src/cluster/liveness-session.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../support/temp-dir.js';

async function setup() {
  const store = await openSqliteStore(`${tempDir()}/kairos.db`);
  const clock = new ManualClock(1_000_000);
  const dead = new Set<string>();
  let lostOwnLock = false;
  const probe: LivenessProbe = {
    nodesWithoutLock: async (self) => [...dead].filter((id) => id !== self),
    ensureHeld: async () => {
      const was = lostOwnLock;
      lostOwnLock = false;
      return was ? 'retaken' : 'held';
    },
  };
  const takenOver: string[] = [];
  const liveness = new NodeLiveness({
    store,
    clock,
    logger: pino({ level: 'silent' }),
    nodeId: 'me',
    probe,
    onNodeDead: async (id) => void takenOver.push(id),
  });
  for (const id of ['me', 'other']) {
    await store.registerNode({ id, version: 'v', host: 'h', pid: 1, url: null, lockKey: 1, startedAt: 0 });
    await store.updateNode(id, { state: 'alive' });
  }
  return { store, clock, dead, liveness, takenOver, loseOwnLock: () => (lostOwnLock = true) };
}

const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

describe('NodeLiveness', () => {
  it('finds a node without its lock within a second and takes it over once', async () => {
    const { store, clock, dead, liveness, takenOver } = await setup();
    dead.add('other');
    liveness.start();
    clock.advance(999);
    await settle();
    expect(takenOver).toEqual([]);
    clock.advance(1);
    await liveness.stop(); // waits for the pass the timer started
    expect(takenOver).toEqual(['other']);
    await liveness.check(); // a later pass (or another node's) finds it dead already
    expect(takenOver).toEqual(['other']);
    const other = (await store.listNodes()).find((n) => n.id === 'other');
    expect(other).toMatchObject({ state: 'dead', stoppedAt: 1_001_000 });
    await store.close();
  });

  it('says it is alive again after re-taking its own lost lock', async () => {
    const { store, liveness, loseOwnLock } = await setup();
    await store.markNodeDead('me', 5); // another node saw the lock gone meanwhile
    loseOwnLock();
    await liveness.check();
    expect((await store.listNodes()).find((n) => n.id === 'me')).toMatchObject({ state: 'alive' });
    await store.close();
  });
});
