/**
 * The engine's resume contract, with a job type made for the test: a job that saved a checkpoint
 * and detaches at shutdown stays `running` and is resumed by the next start through its type's
 * `resume`; one whose type has no `resume` ends `lost`; events get contiguous seqs across the
 * restart; a job that does not detach ends as before (failed, shutdown).
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { JobDetached } from '../../src/job-types/job-type.js';
import type { JobContext, JobType, RunAbort } from '../../src/job-types/job-type.js';
import { eventually } from '../support/eventually.js';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const Config = z.strictObject({ detach: z.boolean().default(true) });

/** Records one event, saves a checkpoint, then waits for its signal. */
function waitingType(options: { resume: boolean }): JobType<z.output<typeof Config>> {
  return {
    name: 'waiting',
    configSchema: Config,
    async run(ctx: JobContext<z.output<typeof Config>>) {
      ctx.event('begun', '{"step":1}');
      await ctx.checkpoint({ step: 1 });
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      if (ctx.config.detach && (ctx.signal.reason as RunAbort).kind === 'shutdown') throw new JobDetached();
      throw new Error('aborted');
    },
    ...(options.resume
      ? {
          resume(ctx: JobContext<z.output<typeof Config>>, checkpoint: unknown) {
            ctx.event('resumed', JSON.stringify(checkpoint));
            return Promise.resolve({ output: { resumedFrom: checkpoint } });
          },
        }
      : {}),
  };
}

async function startWaitingRun(node: TestNode, detach = true): Promise<number> {
  await createApp(node);
  const task = await node.api('POST', '/api/v1/tasks', {
    name: 'waits',
    app: 'demo',
    type: 'waiting',
    config: { detach },
    schedule: { type: 'api' },
  });
  const runId = (await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {})).body.runId as number;
  await eventually(async () => {
    const events = (await node.api('GET', `/api/v1/runs/${runId}/events`)).body.items;
    expect(events).toHaveLength(1);
  });
  return runId;
}

describe('resuming runs after a restart', () => {
  it('resumes a detached run with its checkpoint through the type’s resume', async () => {
    const first = await startTestNode({ jobTypes: [waitingType({ resume: true })] });
    const runId = await startWaitingRun(first);
    await first.stop(0);
    const second = await startTestNode({ dataDir: first.dataDir, jobTypes: [waitingType({ resume: true })] });
    const { run } = await second.waitFor('run:finished', (p) => p.run.id === runId);
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ resumedFrom: { step: 1 } });
    const events = (await second.api('GET', `/api/v1/runs/${runId}/events`)).body.items;
    expect(events.map((e: { seq: number; event: string }) => [e.seq, e.event])).toEqual([
      [1, 'begun'],
      [2, 'resumed'],
    ]);
  });

  it('ends a checkpointed run `lost` when its type cannot resume', async () => {
    const first = await startTestNode({ jobTypes: [waitingType({ resume: false })] });
    const runId = await startWaitingRun(first);
    await first.stop(0);
    const second = await startTestNode({
      dataDir: first.dataDir,
      jobTypes: [waitingType({ resume: false })],
    });
    const { run } = await second.waitFor('run:finished', (p) => p.run.id === runId);
    expect(run.status).toBe('lost');
    expect(run.error?.message).toMatch(/cannot resume a run after a restart/);
  });

  it('fails a run at shutdown as before when the job does not detach', async () => {
    const node = await startTestNode({ jobTypes: [waitingType({ resume: true })] });
    const runId = await startWaitingRun(node, false);
    const finished = node.waitFor('run:finished', (p) => p.run.id === runId);
    await node.stop(0);
    const { run } = await finished;
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ type: 'shutdown' });
  });
});
