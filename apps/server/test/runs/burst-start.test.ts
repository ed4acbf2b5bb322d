/**
 * Runs due at one instant are started in slices, not in one block of the event loop: a run due
 * a little later is released while the burst is still being started, and the requests of the
 * runs started first leave before the last one is started. With a job type made for the test
 * whose start costs about a millisecond of CPU (as writing a request to Dify does for a fraction
 * of that), 60 runs take ~60 ms to start on any machine.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { JobType } from '../../src/job-types/job-type.js';
import { createApp, startTestNode } from '../support/test-node.js';

const START_COST_MS = 1;

/** Busy for START_COST_MS when started (synchronously), then records when its work got a turn. */
function costlyStartType(turns: string[]): JobType<Record<string, never>> {
  return {
    name: 'costly-start',
    configSchema: z.strictObject({}),
    run(ctx) {
      const until = performance.now() + START_COST_MS;
      while (performance.now() < until);
      // A request written on process.nextTick, as node:http does.
      process.nextTick(() => turns.push(`written ${ctx.taskId}`));
      return Promise.resolve({ output: null });
    },
  };
}

describe('runs due together', () => {
  it('are started in slices: a run due meanwhile and the first writes do not wait for the whole burst', async () => {
    const turns: string[] = [];
    const node = await startTestNode({ jobTypes: [costlyStartType(turns)] });
    await createApp(node);
    const burstAt = Date.now() + 4000;
    const oneTime = async (name: string, at: number) => {
      const res = await node.api('POST', '/api/v1/tasks', {
        name,
        app: 'demo',
        type: 'costly-start',
        config: {},
        schedule: { type: 'one_time', at: new Date(at).toISOString() },
      });
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    const burst: number[] = [];
    for (let i = 0; i < 60; i++) burst.push(await oneTime(`burst ${i}`, burstAt));
    // Due 20 ms after the burst, which takes ~60 ms to start.
    const later = await oneTime('due during the burst', burstAt + 20);
    node.events.on('run:started', ({ run }) => {
      turns.push(`started ${run.taskId}`);
    });
    const all = [...burst, later].map((id) =>
      node.waitFor('run:succeeded', (p) => p.run.taskId === id, 20_000),
    );
    await Promise.all(all);

    const lastBurstStart = Math.max(...burst.map((id) => turns.indexOf(`started ${id}`)));
    expect(turns.indexOf(`started ${later}`)).toBeGreaterThan(-1);
    expect(turns.indexOf(`started ${later}`)).toBeLessThan(lastBurstStart);
    expect(turns.findIndex((t) => t.startsWith('written'))).toBeLessThan(lastBurstStart);
    expect(turns.filter((t) => t.startsWith('written'))).toHaveLength(61);
  });
});
