/**
 * An executor run's executions are written with its start, in one transaction, when its route
 * needs no outside call; failover (which probes executors) still routes and writes at run time.
 * A completion stored before the dispatcher waits for it (a pull executor quick to take a
 * visible execution) still reaches the run.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { createAppWithToken, createExecutorTask, trigger } from './support.js';
import { ExecutionHub } from '../../src/job-types/executor/execution-hub.js';
import { ManualClock, systemClock } from '../../src/clock.js';

async function poll(node: TestNode, appName: string, token: string, body: Record<string, unknown>) {
  const response = await fetch(`${node.url}/api/v1/executor/poll`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'XXL-JOB-APPNAME': appName,
      'XXL-JOB-ACCESS-TOKEN': token,
    },
    body: JSON.stringify({ executorId: 'bare-1', ...body }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Counts the executions the job inserts itself (not with the run's start). */
function countInserts(node: TestNode): () => number {
  let count = 0;
  const insert = node.store.insertExecution.bind(node.store);
  node.store.insertExecution = (execution) => {
    count++;
    return insert(execution);
  };
  return () => count;
}

async function runToTheEnd(node: TestNode, appName: string, token: string, runId: number) {
  const handed = await poll(node, appName, token, { waitMs: 5000 });
  expect(handed.body.tasks).toHaveLength(1);
  const logId = handed.body.tasks[0].logId as number;
  await poll(node, appName, token, { waitMs: 0, results: [{ logId, handleCode: 200, handleMsg: 'done' }] });
  await eventually(async () => {
    expect((await node.api('GET', `/api/v1/runs/${runId}`)).body).toMatchObject({ status: 'succeeded' });
  });
  return logId;
}

describe('executions written with the start', () => {
  it('a routed run gets its execution in its start; the job inserts none', async () => {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node);
    await poll(node, appName, token, { waitMs: 0 }); // registers
    const inserts = countInserts(node);
    const taskId = await createExecutorTask(node, appName, { handler: 'work', routeStrategy: 'round' });
    const runId = await trigger(node, taskId);
    const logId = await runToTheEnd(node, appName, token, runId);
    expect(inserts()).toBe(0);
    const executions = await node.store.listExecutionsOfRun(runId);
    expect(executions).toMatchObject([
      { id: logId, runId, status: 'succeeded', executorAddress: 'pull://bare-1' },
    ]);
  });

  it('failover probes at run time, and the job inserts its execution then', async () => {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node);
    await poll(node, appName, token, { waitMs: 0 });
    const inserts = countInserts(node);
    const taskId = await createExecutorTask(node, appName, { handler: 'work', routeStrategy: 'failover' });
    const runId = await trigger(node, taskId);
    await runToTheEnd(node, appName, token, runId);
    expect(inserts()).toBe(1);
  });

  /** A run whose execution was written with its start, completed through the store (no hub). */
  async function executionCompletedInStore(handleMsg: string) {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node);
    await poll(node, appName, token, { waitMs: 0 });
    const taskId = await createExecutorTask(node, appName, { handler: 'work' });
    const runId = await trigger(node, taskId);
    const [execution] = await eventually(async () => {
      const found = await node.store.listExecutionsOfRun(runId);
      expect(found).toHaveLength(1);
      return found;
    });
    const completed = await node.store.completeExecution(execution!.id, {
      status: 'succeeded',
      handleCode: 200,
      handleMsg,
      retryable: true,
      finishedAt: Date.now(),
    });
    return { node, completed: completed! };
  }

  it('a completion stored before its waiter is delivered to it', async () => {
    const { node, completed } = await executionCompletedInStore('early');
    // A hub of its own on the node's store: the node's hub is waiting for the execution too.
    const hub = new ExecutionHub({ store: node.store, clock: systemClock, pollMs: 1000, onError: () => {} });
    const waited = hub.waitVisible(completed.id);
    await expect(waited).resolves.toMatchObject({ id: completed.id, handleMsg: 'early' });
  });

  it('a completion delivered before its waiter is kept for it, with no store read', async () => {
    const { node, completed } = await executionCompletedInStore('delivered first');
    // A clock that never moves: the store is not looked up, only what was delivered answers.
    const hub = new ExecutionHub({
      store: node.store,
      clock: new ManualClock(0),
      pollMs: 1000,
      onError: () => {},
    });
    hub.deliver(completed);
    await expect(hub.waitVisible(completed.id)).resolves.toBe(completed);
  });
});
