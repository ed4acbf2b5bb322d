import { describe, expect, it } from 'vitest';
import { createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

/** A script task that holds its slot until the file `release` exists in its working folder's parent. */
async function blockingTask(node: TestNode, overlap: string, extra: Record<string, unknown> = {}) {
  const task = await node.api('POST', '/api/v1/tasks', {
    name: `blocking ${overlap}`,
    app: 'demo',
    type: 'script',
    config: { language: 'shell', source: 'sleep "${SLEEP:-30}"', env: { SLEEP: '30' } },
    schedule: { type: 'api' },
    concurrency: { max: 1, overlap },
    ...extra,
  });
  expect(task.status).toBe(201);
  return task.body.id as number;
}

const run = async (node: TestNode, taskId: number) =>
  (await node.api('POST', `/api/v1/tasks/${taskId}/run`, {})).body.runId as number;

describe('concurrency and overlap', () => {
  it('skip: a run that finds the task busy is recorded as skipped', async () => {
    const node = await startTestNode();
    await createApp(node);
    const taskId = await blockingTask(node, 'skip');
    const started = node.waitFor('run:started', (p) => p.run.taskId === taskId);
    const first = await run(node, taskId);
    await started;
    const skipped = node.waitFor('run:skipped', (p) => p.run.taskId === taskId);
    const second = await run(node, taskId);
    const { run: record } = await skipped;
    expect(record.id).toBe(second);
    expect(record.error?.type).toBe('overlap');
    await node.api('POST', `/api/v1/runs/${first}/cancel`);
  });

  it('queue: runs wait and start one after another, in order', async () => {
    const node = await startTestNode();
    await createApp(node);
    const taskId = await blockingTask(node, 'queue');
    const firstStarted = node.waitFor('run:started', (p) => p.run.taskId === taskId);
    const first = await run(node, taskId);
    await firstStarted;
    const second = await run(node, taskId);
    const third = await run(node, taskId);
    expect(node.engine.waitingCount).toBe(2);
    expect((await node.api('GET', `/api/v1/runs/${second}`)).body.status).toBe('scheduled');

    const secondStarted = node.waitFor('run:started', (p) => p.run.taskId === taskId);
    await node.api('POST', `/api/v1/runs/${first}/cancel`);
    expect((await secondStarted).run.id).toBe(second);
    const thirdStarted = node.waitFor('run:started', (p) => p.run.taskId === taskId);
    await node.api('POST', `/api/v1/runs/${second}/cancel`);
    expect((await thirdStarted).run.id).toBe(third);
    await node.api('POST', `/api/v1/runs/${third}/cancel`);
  });

  it('replace: a new run cancels the running one and takes its place', async () => {
    const node = await startTestNode();
    await createApp(node);
    const taskId = await blockingTask(node, 'replace');
    const started = node.waitFor('run:started', (p) => p.run.taskId === taskId);
    const first = await run(node, taskId);
    await started;
    const cancelled = node.waitFor('run:cancelled', (p) => p.run.id === first);
    const secondStarted = node.waitFor('run:started', (p) => p.run.taskId === taskId && p.run.id !== first);
    const second = await run(node, taskId);
    expect((await cancelled).run.error?.message).toMatch(/replaced/);
    expect((await secondStarted).run.id).toBe(second);
    await node.api('POST', `/api/v1/runs/${second}/cancel`);
  });

  it("an app's maxConcurrency holds runs of all its tasks", async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo', maxConcurrency: 1 });
    const a = await blockingTask(node, 'allow');
    const b = await blockingTask(node, 'allow');
    const started = node.waitFor('run:started', (p) => p.run.taskId === a);
    const runA = await run(node, a);
    await started;
    const runB = await run(node, b);
    expect(node.engine.waitingCount).toBe(1);
    const bStarted = node.waitFor('run:started', (p) => p.run.id === runB);
    await node.api('POST', `/api/v1/runs/${runA}/cancel`);
    await bStarted;
    await node.api('POST', `/api/v1/runs/${runB}/cancel`);
  });
});
