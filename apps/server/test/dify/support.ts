/**
 * Dify test support: a real simulator on 127.0.0.1 (closed after each test) and helpers to make
 * a dify_workflow task on a real Kairos node, run it and read its events and track.
 */
import { afterEach } from 'vitest';
import { startDifySim } from '@kairos/dify-sim';
import type { DifySim, DifySimOptions } from '@kairos/dify-sim';
import { createApp } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const sims: DifySim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

export async function startSim(options: DifySimOptions = {}): Promise<DifySim> {
  const sim = await startDifySim({ port: 0, stepMs: 2, ...options });
  sims.push(sim);
  return sim;
}

export const SIMPLE_INPUTS = { article: 'Acme Corp reported fourth-quarter revenue.', tone: 'neutral' };

export async function createDifyTask(
  node: TestNode,
  sim: DifySim,
  apiKey: string,
  extra: { config?: Record<string, unknown>; task?: Record<string, unknown> } = {},
): Promise<{ status: number; body: any }> {
  const app = await node.api('GET', '/api/v1/apps/demo');
  if (app.status === 404) await createApp(node, 'demo');
  return node.api('POST', '/api/v1/tasks', {
    name: `dify ${apiKey}`,
    app: 'demo',
    type: 'dify_workflow',
    config: {
      endpoint: `${sim.url}/v1`,
      apiKey,
      inputs: /^app-(simple|ifelse|classifier)/.test(apiKey) ? SIMPLE_INPUTS : {},
      ...extra.config,
    },
    schedule: { type: 'api' },
    ...extra.task,
  });
}

/** Triggers a run and waits for its finish; returns the stored run. */
export async function runOnce(node: TestNode, taskId: number, timeoutMs = 15_000): Promise<any> {
  const finished = node.waitFor('run:finished', (p) => p.run.taskId === taskId, timeoutMs);
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
  if (res.status !== 202) throw new Error(`trigger failed: ${JSON.stringify(res.body)}`);
  await finished;
  return (await node.api('GET', `/api/v1/runs/${res.body.runId}`)).body;
}

export async function allEvents(node: TestNode, runId: number): Promise<any[]> {
  const res = await node.api('GET', `/api/v1/runs/${runId}/events?limit=5000`);
  return res.body.items;
}

/** Triggers a run and resolves with the run:finished payload (the run and whether it may retry). */
export async function runFinished(node: TestNode, taskId: number, timeoutMs = 15_000) {
  const finished = node.waitFor('run:finished', (p) => p.run.taskId === taskId, timeoutMs);
  const res = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
  if (res.status !== 202) throw new Error(`trigger failed: ${JSON.stringify(res.body)}`);
  return finished;
}

/**
 * A task whose target was unreachable when it was saved (so it is saved unchecked, with a
 * warning), then a simulator started on that port: how a key revoked later, or an endpoint that
 * turned into a web page, reaches a run.
 */
export async function taskSavedUnchecked(
  node: TestNode,
  apiKey: string,
  extra: { config?: Record<string, unknown>; task?: Record<string, unknown> } = {},
): Promise<{ sim: DifySim; taskId: number }> {
  const probe = await startSim();
  const port = probe.port;
  await probe.close();
  const endpoint = `http://127.0.0.1:${port}/v1`;
  const fake = { url: `http://127.0.0.1:${port}` } as DifySim;
  const task = await createDifyTask(node, fake, apiKey, {
    config: { endpoint, ...extra.config },
    task: extra.task,
  });
  if (task.status !== 201) throw new Error(JSON.stringify(task.body));
  const sim = await startSim({ port });
  return { sim, taskId: task.body.id as number };
}
