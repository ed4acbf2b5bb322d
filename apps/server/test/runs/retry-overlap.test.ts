/**
 * A retry is owed to a run that failed: when it comes due while another run of its task holds
 * the task's only place (concurrency.max 1, overlap `skip`), it waits for the place instead of
 * being skipped by the overlap policy (after a crash, every retry of a lost run used to end
 * `skipped` because the next slot was already running).
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { JobType } from '../../src/job-types/job-type.js';
import { eventually } from '../support/eventually.js';
import { createApp, startTestNode } from '../support/test-node.js';

/** Fails on input {fail: true}; otherwise waits until the test opens the gate. */
function gatedType(): JobType<Record<string, never>> & { open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    name: 'gated',
    configSchema: z.strictObject({}),
    async run(ctx) {
      if ((ctx.input as { fail?: boolean } | null)?.fail && ctx.attempt === 1)
        throw new Error('first attempt fails');
      await gate;
      return { output: { attempt: ctx.attempt } };
    },
    open,
  };
}

describe('retries and the overlap policy', () => {
  it('a retry due while the task is busy waits for room, and runs', async () => {
    const gated = gatedType();
    const node = await startTestNode({ jobTypes: [gated] });
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 'one at a time',
      app: 'demo',
      type: 'gated',
      config: {},
      schedule: { type: 'api' },
      concurrency: { max: 1, overlap: 'skip' },
      retry: { maxAttempts: 2, backoff: 'fixed', delaySeconds: 2 },
    });
    const failed = node.waitFor('run:failed', ({ run }) => run.attempt === 1);
    const failing = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, { input: { fail: true } });
    await failed;
    // The retry is due in 2 s; meanwhile another run takes the task's place and holds it.
    const holding = node.waitFor('run:started', ({ run }) => run.triggerType === 'api');
    await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, { input: {} });
    await holding;
    const skipped: number[] = [];
    node.events.on('run:skipped', ({ run }) => void skipped.push(run.id));
    // Wait until the retry has come due and found the task busy (it is then waiting).
    await eventually(() => expect(node.engine.waitingCount).toBe(1), 15_000);
    gated.open();
    const retried = await node.waitFor('run:succeeded', ({ run }) => run.triggerType === 'retry', 15_000);
    expect(retried.run).toMatchObject({ attempt: 2, retryOf: failing.body.runId });
    expect(skipped).toEqual([]);
  });
});
