/**
 * A Dify run's life beyond the happy path: stopped in Dify on timeout and cancel, resumed after a
 * Kairos restart (re-attach, or polling on Dify < 1.13), and watched live over SSE.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { STOP_WAIT_MS } from '../../src/job-types/dify/workflow-run.js';
import { allEvents, createDifyTask, runOnce, startSim } from './support.js';

async function trigger(node: TestNode, taskId: number): Promise<number> {
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
  return res.body.runId as number;
}

async function readSse(url: string): Promise<{ data: any[]; end: any }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const text = await res.text();
  const data: any[] = [];
  let end: any;
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const payload = lines.find((l) => l.startsWith('data: '))?.slice(6);
    if (payload === undefined) continue;
    if (lines.includes('event: end')) end = JSON.parse(payload);
    else data.push(JSON.parse(payload));
  }
  return { data, end };
}

describe('dify_workflow run lifecycle', () => {
  it('stops the Dify run on timeout and ends timed_out, keeping the ids', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long', { task: { timeoutSeconds: 0.5 } });
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('timed_out');
    const simRun = [...sim.runs.values()][0]!;
    expect(sim.stops).toEqual([simRun.taskId]);
    expect(simRun.status).toBe('stopped');
    expect(run.output).toMatchObject({ workflowRunId: simRun.runId, status: 'stopped' });
    const events = await allEvents(node, run.id);
    expect(events.at(-1).data.data).toMatchObject({ status: 'stopped', error: 'Stopped by user.' });
  });

  it('waits a bounded time for Dify to confirm a stop, then ends the run anyway', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    // The stream goes silent after 3 events, so the stop is never confirmed on it.
    const task = await createDifyTask(node, sim, 'app-long+stall', { task: { timeoutSeconds: 0.3 } });
    const started = Date.now();
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('timed_out');
    expect(Date.now() - started).toBeLessThan(STOP_WAIT_MS + 3000);
    expect(sim.stops).toHaveLength(1);
    expect(run.output).toMatchObject({ workflowRunId: [...sim.runs.values()][0]!.runId });
  });

  it('stops the Dify run on cancel and ends cancelled', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long');
    const runId = await trigger(node, task.body.id);
    await eventually(async () => expect((await allEvents(node, runId)).length).toBeGreaterThan(2));
    const cancelled = await node.api('POST', `/api/v1/runs/${runId}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(sim.stops).toHaveLength(1);
    expect([...sim.runs.values()][0]!.status).toBe('stopped');
  });

  it('ends a run stopped in Dify by someone else as cancelled', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long');
    const finished = node.waitFor('run:finished');
    const runId = await trigger(node, task.body.id);
    await eventually(async () => expect((await allEvents(node, runId)).length).toBeGreaterThan(2));
    [...sim.runs.values()][0]!.stop();
    const { run, retryable } = await finished;
    expect(run.status).toBe('cancelled');
    expect(run.error).toMatchObject({ type: 'dify_stopped' });
    expect(retryable).toBe(false);
  });

  it.each([
    ['app-long', 'reattach'],
    ['app-long+no-reattach', 'poll'],
  ])('resumes %s after a restart instead of losing it (%s)', async (key, via) => {
    const sim = await startSim();
    const first = await startTestNode();
    const task = await createDifyTask(first, sim, key);
    const runId = await trigger(first, task.body.id);
    await eventually(async () => expect((await allEvents(first, runId)).length).toBeGreaterThan(3));
    await first.stop(0);
    expect([...sim.runs.values()][0]!.status).toBe('running');

    const second = await startTestNode({ dataDir: first.dataDir });
    const finished = await second.waitFor('run:finished', (p) => p.run.id === runId, 15_000);
    expect(finished.run.status).toBe('succeeded');
    const run = (await second.api('GET', `/api/v1/runs/${runId}`)).body;
    expect(run.output).toMatchObject({
      via,
      status: 'succeeded',
      workflowRunId: [...sim.runs.values()][0]!.runId,
    });
    expect(sim.requests.filter((r) => r.path === '/v1/workflows/run')).toHaveLength(1);
    // Re-attach replays the nodes run so far and streams the rest: the whole track, each node
    // once. Polling (Dify < 1.13) has no node data: the track keeps what came before the restart.
    const track = (await second.api('GET', `/api/v1/runs/${runId}/track`)).body;
    const ids = track.nodes.map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    if (via === 'reattach') expect(ids).toHaveLength(42);
    else expect(ids.length).toBeGreaterThan(0);
  });

  it('streams a live run over SSE: stored events first, then live ones, then the end', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long');
    const runId = await trigger(node, task.body.id);
    await eventually(async () => expect((await allEvents(node, runId)).length).toBeGreaterThan(2));
    const { data, end } = await readSse(`${node.url}/api/v1/runs/${runId}/stream`);
    expect(end).toEqual({ status: 'succeeded' });
    const stored = await allEvents(node, runId);
    expect(data.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(data.at(-1).event).toBe('workflow_finished');

    // A finished run: the replay, then the end at once.
    const again = await readSse(`${node.url}/api/v1/runs/${runId}/stream`);
    expect(again.data).toHaveLength(stored.length);
    expect(again.end).toEqual({ status: 'succeeded' });
    expect((await node.api('GET', '/api/v1/runs/999999/stream')).status).toBe(404);
  });

  it('lets a watcher leave a live stream without harm to the run', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-long');
    const finished = node.waitFor('run:finished');
    const runId = await trigger(node, task.body.id);
    const controller = new AbortController();
    const res = await fetch(`${node.url}/api/v1/runs/${runId}/stream`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    expect((await finished).run.status).toBe('succeeded');
    expect(await allEvents(node, runId)).toHaveLength([...sim.runs.values()][0]!.sent.length);
  });

  it('pages GET /runs/{id}/events', async () => {
    const sim = await startSim();
    const node = await startTestNode();
    const task = await createDifyTask(node, sim, 'app-simple');
    const run = await runOnce(node, task.body.id);
    const page1 = await node.api('GET', `/api/v1/runs/${run.id}/events?limit=10`);
    expect(page1.body.items).toHaveLength(10);
    expect(page1.body.nextCursor).toBe('10');
    const page2 = await node.api('GET', `/api/v1/runs/${run.id}/events?afterSeq=10&limit=10`);
    expect(page2.body.items[0].seq).toBe(11);
    expect((await node.api('GET', `/api/v1/runs/${run.id}/events?limit=0`)).status).toBe(400);
  });
});
