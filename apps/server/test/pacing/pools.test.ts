/**
 * Provider pools against the Dify simulator, on a manual clock: a pool's requests per minute are
 * held (counted at the simulator per minute window), queued runs go highest priority first, and a
 * 429 with Retry-After backs the pool off for that long.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createDifyTask, runOnce, startSim } from '../dify/support.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import type { DifySim } from '@kairos/dify-sim';

const T0 = Date.parse('2026-05-04T08:00:00.000Z');
const runRequests = (sim: DifySim, key?: string) =>
  sim.requests.filter((r) => r.path === '/v1/workflows/run' && (key === undefined || r.key === key)).length;

async function trigger(node: TestNode, taskId: number, body: Record<string, unknown> = {}): Promise<number> {
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, body);
  expect(res.status).toBe(202);
  return res.body.runId as number;
}

describe('provider pools', () => {
  it('holds requestsPerMinute (per minute window at the simulator); queued runs go by priority', async () => {
    const clock = new ManualClock(T0);
    const sim = await startSim();
    const node = await startTestNode({ clock });
    expect((await node.api('POST', '/api/v1/pools', { name: 'llm', requestsPerMinute: 6 })).status).toBe(201);
    const task = await createDifyTask(node, sim, 'app-simple', { task: { pool: 'llm' } });
    const taskId = task.body.id as number;

    const firstDone = node.waitFor('run:finished', (p) => p.run.taskId === taskId);
    const ids: number[] = [];
    for (let i = 0; i < 11; i++) ids.push(await trigger(node, taskId));
    const urgent = await trigger(node, taskId, { priority: 10 });
    await firstDone;
    expect(runRequests(sim)).toBe(1);
    const pool = (await node.api('GET', '/api/v1/pools/llm')).body;
    expect(pool.live).toEqual({ queued: 11, running: 0, backoffUntil: null });
    // A queued run says what it waits for, since when, and when it is looked at again.
    expect((await node.api('GET', `/api/v1/runs/${urgent}`)).body).toMatchObject({
      status: 'scheduled',
      priority: 10,
      waiting: {
        reason: 'pool',
        pool: 'llm',
        budget: null,
        since: new Date(T0).toISOString(),
        until: new Date(T0 + 10_000).toISOString(),
        message: 'waiting for pool llm: requestsPerMinute 6 reached',
      },
    });

    const startOrder: number[] = [ids[0]!];
    const perWindow = new Map<number, number>([[0, 1]]);
    for (let k = 1; k < 12; k++) {
      const due = T0 + 10_000 * k;
      // A millisecond before the pool's next request is due, nothing more reached the simulator.
      clock.set(due - 1);
      await node.events.settle();
      expect(runRequests(sim)).toBe(k);
      const finished = node.waitFor('run:finished', (p) => p.run.taskId === taskId);
      clock.set(due);
      const { run } = await finished;
      startOrder.push(run.id);
      expect(run.startedAt).toBe(due);
      const window = Math.floor((due - T0) / 60_000);
      perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
      expect(runRequests(sim)).toBe(k + 1);
    }
    expect([...perWindow.entries()]).toEqual([
      [0, 6],
      [1, 6],
    ]);
    // Triggered last, it went first among the queued.
    expect(startOrder[1]).toBe(urgent);
    expect(startOrder.slice(2)).toEqual(ids.slice(1));
  });

  it('a 429 with Retry-After backs the pool off for that long, then its runs go', async () => {
    const clock = new ManualClock(T0);
    const sim = await startSim();
    const node = await startTestNode({ clock });
    await node.api('POST', '/api/v1/pools', { name: 'llm', concurrency: 5 });
    const limited = await createDifyTask(node, sim, 'app-simple+retry-after', { task: { pool: 'llm' } });
    const fine = await createDifyTask(node, sim, 'app-simple', { task: { pool: 'llm' } });

    const failed = await runOnce(node, limited.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ status: 429, code: 'too_many_requests', retryAfterSeconds: 30 });
    expect((await node.api('GET', '/api/v1/pools/llm')).body.live.backoffUntil).toBe(
      new Date(T0 + 30_000).toISOString(),
    );

    const waiting = await trigger(node, fine.body.id);
    await node.events.settle();
    clock.set(T0 + 29_999);
    await node.events.settle();
    expect((await node.api('GET', `/api/v1/runs/${waiting}`)).body.status).toBe('scheduled');
    expect((await node.api('GET', '/api/v1/pools/llm')).body.live.queued).toBe(1);
    expect(runRequests(sim, 'app-simple')).toBe(0);

    const done = node.waitFor('run:finished', (p) => p.run.id === waiting);
    clock.set(T0 + 30_000);
    const { run } = await done;
    expect(run.status).toBe('succeeded');
    expect(run.startedAt).toBe(T0 + 30_000);
    expect(runRequests(sim, 'app-simple')).toBe(1);
  });

  it('a quota error backs the pool off by its Retry-After', async () => {
    const clock = new ManualClock(T0);
    const sim = await startSim();
    const node = await startTestNode({ clock });
    await node.api('POST', '/api/v1/pools', { name: 'llm' });
    const task = await createDifyTask(node, sim, 'app-simple+quota-retry-after', { task: { pool: 'llm' } });
    const failed = await runOnce(node, task.body.id);
    expect(failed.error).toMatchObject({ status: 429, code: 'rate_limit_error', retryAfterSeconds: 120 });
    expect((await node.api('GET', '/api/v1/pools/llm')).body.live.backoffUntil).toBe(
      new Date(T0 + 120_000).toISOString(),
    );
  });
});
