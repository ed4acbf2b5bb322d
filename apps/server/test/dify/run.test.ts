/**
 * dify_workflow runs against the simulator: what a run records (ids, status, outputs, usage,
 * every event verbatim), blocking mode, status mapping and the retry policy.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '@kairos/protocol';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import { allEvents, createDifyTask, runOnce, startSim } from './support.js';

describe('dify_workflow runs', () => {
  it('records a streaming run: Dify ids, outputs, usage summed from node metadata, every event', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple');
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    const simRun = [...sim.runs.values()][0]!;
    expect(run.output).toMatchObject({
      workflowRunId: simRun.runId,
      taskId: simRun.taskId,
      workflowId: simRun.workflowId,
      status: 'succeeded',
      totalSteps: 3,
      warnings: 0,
      via: 'stream',
      host: new URL(sim.url).host,
    });
    expect(run.output.outputs.summary).toContain('Acme Corp grew');
    expect(run.usage).toEqual({
      totalTokens: 326,
      promptTokens: 268,
      completionTokens: 58,
      totalPrice: 0.000075,
      currency: 'USD',
    });
    const events = await allEvents(node, run.id);
    expect(events.length).toBe(simRun.sent.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].event).toBe('workflow_started');
    expect(events.at(-1).event).toBe('workflow_finished');
    expect(events[0].data.workflow_run_id).toBe(simRun.runId);
    expect(Object.keys(events[0].data)).toEqual(['event', 'workflow_run_id', 'task_id', 'data']);
    expect(events.every((e) => e.truncated === false && typeof e.at === 'string')).toBe(true);
    // Every event under its own name and verbatim, text chunks too (they are kept unparsed).
    expect(events.map((e) => e.event)).toEqual(simRun.sent.map((e) => e.event));
    const chunks = events.filter((e) => e.event === 'text_chunk');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((e) => e.data.data)).toEqual(
      simRun.sent.filter((e) => e.event === 'text_chunk').map((e) => e.data),
    );
    expect(chunks.every((e) => e.data.workflow_run_id === simRun.runId)).toBe(true);
    // The same through the API client.
    const client = createClient({ baseUrl: node.url, token: ADMIN_TOKEN });
    expect((await client.runs.events(run.id, { afterSeq: 0, limit: 5 })).items.map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect((await client.runs.track(run.id)).nodes.map((n) => n.nodeType)).toEqual(['start', 'llm', 'end']);
    // The request Dify got: default user, inputs, streaming.
    const post = sim.requests.find((r) => r.method === 'POST' && r.path === '/v1/workflows/run')!;
    expect(post.body).toMatchObject({ user: `kairos:${task.body.id}`, response_mode: 'streaming' });
  });

  it('runs in blocking mode when asked', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple', {
      config: { responseMode: 'blocking', user: 'nightly' },
    });
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.output).toMatchObject({ status: 'succeeded', via: 'blocking', totalSteps: 3 });
    expect(run.usage.totalTokens).toBe(326);
    const events = await allEvents(node, run.id);
    expect(events.map((e) => e.event)).toEqual(['blocking_response']);
    expect(sim.requests.find((r) => r.path === '/v1/workflows/run')!.body).toMatchObject({ user: 'nightly' });
  });
});
