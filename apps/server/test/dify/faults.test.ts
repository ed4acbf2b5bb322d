/**
 * What goes wrong between Kairos and Dify: the simulator's fault injections (a dropped terminal
 * or first event, a stalled or cut stream, garbage, an oversize event, an `error` event), HTTP
 * errors, and the retry policy (before the first event only, unless the task is idempotent).
 */
import { describe, expect, it } from 'vitest';
import { RUN_EVENT_DATA_LIMIT } from '../../src/runs/run-event-sink.js';
import { startTestNode } from '../support/test-node.js';
import { allEvents, createDifyTask, runFinished, runOnce, startSim, taskSavedUnchecked } from './support.js';

const retry = { maxAttempts: 3, delaySeconds: 0, backoff: 'fixed' };

describe('dify_workflow faults', () => {
  it('re-attaches when the stream ends without workflow_finished', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-iteration+drop-terminal');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output).toMatchObject({ via: 'reattach', status: 'succeeded', totalSteps: 3 });
    expect(sim.requests.some((r) => r.path.startsWith('/v1/workflow/'))).toBe(true);
    const events = await allEvents(node, run.id);
    expect(events.at(-1).event).toBe('workflow_finished');
    // The snapshot a re-attach replays is not recorded twice.
    const started = events.filter((e) => e.event === 'node_started').map((e) => e.data.data.id);
    expect(new Set(started).size).toBe(started.length);
    expect(run.usage.totalTokens).toBe(978);
  });

  it('polls run detail when re-attach is not available (Dify < 1.13), outputs as JSON text too', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple+drop-terminal+no-reattach+old-detail');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output).toMatchObject({ via: 'poll', status: 'succeeded' });
    expect(run.output.outputs.summary).toContain('Acme Corp');
    expect(run.usage.totalTokens).toBe(326);
    expect((await allEvents(node, run.id)).at(-1).event).toBe('run_detail');
  });

  it('takes the ids from any event when the first one is dropped', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple+drop-first');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    const simRun = [...sim.runs.values()][0]!;
    expect(run.output).toMatchObject({ workflowRunId: simRun.runId, taskId: simRun.taskId, via: 'stream' });
    expect((await allEvents(node, run.id)).length).toBe(simRun.sent.length - 1);
  });

  it('drops a stalled stream after the read timeout and follows the run', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-retry+stall+no-reattach', {
      config: { readTimeoutSeconds: 1 },
    });
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output.via).toBe('poll');
  });

  it('follows a run whose connection was cut', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-loop+cut');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output.via).toBe('reattach');
  });

  it('waits for a slow stream', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-retry+slow');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output.via).toBe('stream');
  });

  it('keeps an oversize event truncated with a flag', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple+huge');
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    const events = await allEvents(node, run.id);
    const huge = events.filter((e) => e.truncated);
    expect(huge).toHaveLength(1);
    expect(huge[0].event).toBe('node_finished');
    expect(typeof huge[0].data).toBe('string');
    expect(huge[0].data.length).toBe(RUN_EVENT_DATA_LIMIT);
    expect(events.at(-1).event).toBe('workflow_finished');
    const track = await node.api('GET', `/api/v1/runs/${run.id}/track`);
    expect(track.status).toBe(200);
  });

  it('fails a stream of garbage at once, without retry', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple+garbage', { task: { retry } });
    const { run, retryable } = await runFinished(node, task.body.id);
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/2 line\(s\) that are not Dify events/);
    expect(retryable).toBe(false);
  });

  it('fails on an error event; no retry once events arrived unless the task is idempotent', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long+error', { task: { retry } });
    const first = await runFinished(node, task.body.id);
    expect(first.run.status).toBe('failed');
    expect(first.run.error).toMatchObject({ code: 'internal_server_error' });
    expect(first.run.error?.message).toMatch(/Internal Server Error, please contact support/);
    expect(first.retryable).toBe(false);

    const failing = await createDifyTask(node, sim, 'app-failing', { task: { retry } });
    expect((await runFinished(node, failing.body.id)).retryable).toBe(false);
    const idempotent = await createDifyTask(node, sim, 'app-failing', {
      task: { retry },
      config: { idempotent: true },
    });
    expect((await runFinished(node, idempotent.body.id)).retryable).toBe(true);
  });

  it.each([
    ['http400', 400, 'invalid_param', /Workflow not published/, false],
    ['http404', 404, 'not_found', /Workflow not found/, false],
    ['quota', 429, 'rate_limit_error', /quota limit reached/, false],
    ['http429', 429, 'too_many_requests', /Too many requests/, true],
    ['http500', 500, 'internal_server_error', /Internal Server Error/, true],
  ])(
    'answers %s: failed with Dify code and message, retry %s',
    async (fault, status, code, message, retryable) => {
      const sim = await startSim();
      const node = await startTestNode();
      const task = await createDifyTask(node, sim, `app-simple+${fault}`, { task: { retry } });
      const finished = await runFinished(node, task.body.id);
      expect(finished.run.status).toBe('failed');
      expect(finished.run.error).toMatchObject({ type: 'dify', status, code });
      expect(finished.run.error?.message).toMatch(message);
      expect(finished.retryable).toBe(retryable);
      if (retryable) {
        const second = await node.waitFor('run:finished', (p) => p.run.attempt === 2);
        expect(second.run.triggerType).toBe('retry');
      }
    },
  );

  it('fails a run whose key Dify rejects (401) with its message, without retry', async () => {
    const node = await startTestNode();
    const { taskId } = await taskSavedUnchecked(node, 'app-revoked', { task: { retry } });
    const { run, retryable } = await runFinished(node, taskId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(run.error?.message).toMatch(/Access token is invalid/);
    expect(retryable).toBe(false);
  });

  it('fails a run whose endpoint answers an HTML page, without retry', async () => {
    const node = await startTestNode();
    const { taskId } = await taskSavedUnchecked(node, 'app-simple+html', { task: { retry } });
    const { run, retryable } = await runFinished(node, taskId);
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/answered 200 with text\/html, not Dify's JSON/);
    expect(retryable).toBe(false);
  });

  it('retries network errors before the first event', async () => {
    const node = await startTestNode();
    const { sim, taskId } = await taskSavedUnchecked(node, 'app-simple', { task: { retry } });
    await sim.close();
    const { run, retryable } = await runFinished(node, taskId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ type: 'dify_network' });
    expect(run.error?.message).toMatch(/ECONNREFUSED/);
    expect(retryable).toBe(true);
  });
});
