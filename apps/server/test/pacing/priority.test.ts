/**
 * Priority orders the runs waiting for an app's maxConcurrency: the highest goes first, whatever
 * the order they were triggered in.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

async function blockingTask(node: TestNode, name: string, priority: number) {
  const task = await node.api('POST', '/api/v1/tasks', {
    name,
    app: 'demo',
    type: 'script',
    config: { language: 'shell', source: 'sleep 30' },
    schedule: { type: 'api' },
    concurrency: { max: 5, overlap: 'allow' },
    priority,
  });
  expect(task.status).toBe(201);
  return task.body.id as number;
}

describe('priority', () => {
  it("orders the runs waiting for an app's maxConcurrency, highest first", async () => {
    const node = await startTestNode();
    await node.api('POST', '/api/v1/apps', { appName: 'demo', name: 'Demo', maxConcurrency: 1 });
    const blocker = await blockingTask(node, 'blocker', 0);
    const low = await blockingTask(node, 'low', 0);
    const high = await blockingTask(node, 'high', 5);
    const started = node.waitFor('run:started', (p) => p.run.taskId === blocker);
    const first = (await node.api('POST', `/api/v1/tasks/${blocker}/run`, {})).body.runId;
    await started;
    const lowRun = (await node.api('POST', `/api/v1/tasks/${low}/run`, {})).body.runId;
    const highRun = (await node.api('POST', `/api/v1/tasks/${high}/run`, {})).body.runId;
    // A trigger may lift one run above its task's priority.
    const urgent = (await node.api('POST', `/api/v1/tasks/${low}/run`, { priority: 9 })).body.runId;
    expect(node.engine.waitingCount).toBe(3);

    const order: number[] = [];
    for (const running of [first, urgent, highRun]) {
      const next = node.waitFor('run:started', (p) => p.run.id !== running && p.run.taskId !== blocker);
      await node.api('POST', `/api/v1/runs/${running}/cancel`);
      order.push((await next).run.id);
    }
    expect(order).toEqual([urgent, highRun, lowRun]);
    await node.api('POST', `/api/v1/runs/${lowRun}/cancel`);
  });
});
