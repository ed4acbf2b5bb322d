/**
 * The dead-executor sweep on a manual clock: a run on an executor that stopped heartbeating is
 * lost after the dead timeout and at most one sweep later, whatever the phase of the sweep, and
 * not before the dead timeout.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { ExecutionHub } from '../../src/job-types/executor/execution-hub.js';
import { LostMonitor } from '../../src/job-types/executor/lost-monitor.js';
import { openStore } from '../../src/store/open-store.js';
import type { ExecutionRecord } from '../../src/store/executor-records.js';
import type { Store } from '../../src/store/store.js';
import { runInput, seed, start, taskInput } from '../store/contract/context.js';
import { tempDir } from '../support/temp-dir.js';

const T0 = 1_700_000_000_000;
const DEAD_MS = 90_000;
const SWEEP_MS = 5_000;

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function openExecutionOnSilentExecutor(clock: ManualClock) {
  store = await openStore({ dataDir: tempDir(), now: () => clock.now() });
  const seeded = await seed(store);
  const task = await store.createTask(taskInput(seeded, { type: 'executor', config: { handler: 'h' } }));
  const { run } = await store.insertRun(runInput(task));
  await store.markRunsStarted([start(run.id)]);
  const address = 'http://127.0.0.1:9999';
  await store.upsertExecutor({ appId: seeded.app.id, address, mode: 'push', protocol: 'xxl', at: T0 });
  await store.insertExecution({
    runId: run.id,
    taskId: task.id,
    appId: seeded.app.id,
    shardIndex: 0,
    shardTotal: 1,
    executorAddress: address,
    status: 'dispatched',
    trigger: { jobId: task.id, executorHandler: 'h' },
    createdAt: T0,
  });
  return store;
}

describe('LostMonitor', () => {
  it.each([0, 1_000, 2_500, 4_999])(
    'loses the execution within dead timeout + one sweep of the last heartbeat (sweep started %i ms after it)',
    async (phase) => {
      const clock = new ManualClock(T0 + phase);
      const s = await openExecutionOnSilentExecutor(clock);
      const delivered: { at: number; execution: ExecutionRecord }[] = [];
      const hub = { deliver: (execution: ExecutionRecord) => delivered.push({ at: clock.now(), execution }) };
      const monitor = new LostMonitor({
        store: s,
        clock,
        hub: hub as unknown as ExecutionHub,
        logger: pino({ level: 'silent' }),
        deadMs: DEAD_MS,
        sweepMs: SWEEP_MS,
      });
      monitor.start();
      try {
        while (delivered.length === 0 && clock.now() < T0 + 2 * DEAD_MS) {
          clock.advance(250);
          await monitor.idle();
        }
      } finally {
        await monitor.stop();
      }
      expect(delivered).toHaveLength(1);
      const lostAfter = delivered[0]!.at - T0;
      expect(lostAfter).toBeGreaterThan(DEAD_MS);
      expect(lostAfter).toBeLessThanOrEqual(DEAD_MS + SWEEP_MS);
      expect(delivered[0]!.execution).toMatchObject({ status: 'lost', handleCode: 500 });
      expect(delivered[0]!.execution.handleMsg).toMatch(/no heartbeat for 90 s/);
    },
  );

  it('leaves the executions of an executor that heartbeats within the dead timeout', async () => {
    const clock = new ManualClock(T0);
    const s = await openExecutionOnSilentExecutor(clock);
    clock.advance(DEAD_MS);
    const hub = { deliver: () => undefined } as unknown as ExecutionHub;
    const monitor = new LostMonitor({
      store: s,
      clock,
      hub,
      logger: pino({ level: 'silent' }),
      deadMs: DEAD_MS,
      sweepMs: SWEEP_MS,
    });
    expect(await monitor.check()).toBe(0);
    clock.advance(1);
    expect(await monitor.check()).toBe(1);
  });
});
