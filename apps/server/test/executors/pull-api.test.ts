/**
 * The pull endpoints spoken to directly, as an executor without the SDK would: a poll hands out
 * a queued execution, and the next poll may carry its result (applied like a /callback batch:
 * items that do not apply are skipped, the rest apply); a malformed result refuses the poll with
 * the field named, and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';
import { createAppWithToken, createExecutorTask, trigger } from './support.js';

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

describe('pull endpoints', () => {
  it('a poll carries the result of the execution the previous poll handed out', async () => {
    const node = await startTestNode();
    const { appName, token } = await createAppWithToken(node);
    expect((await poll(node, appName, token, { waitMs: 0 })).status).toBe(200); // registers
    const taskId = await createExecutorTask(node, appName, { handler: 'work' });
    const runId = await trigger(node, taskId);
    const handed = await poll(node, appName, token, { waitMs: 5000 });
    expect(handed.body.tasks).toHaveLength(1);
    const logId = handed.body.tasks[0].logId as number;

    const malformed = await poll(node, appName, token, {
      waitMs: 0,
      results: [{ logId, handleCode: 200, handleMsg: 'ok', extra: true }],
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('results');
    expect((await node.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe('running');

    const reported = await poll(node, appName, token, {
      waitMs: 0,
      results: [
        { logId: 999_999, handleCode: 200 },
        { logId, handleCode: 200, handleMsg: 'done by a bare executor' },
      ],
    });
    expect(reported).toEqual({ status: 200, body: { tasks: [], kills: [] } });
    await eventually(async () => {
      const run = (await node.api('GET', `/api/v1/runs/${runId}`)).body;
      expect(run).toMatchObject({ status: 'succeeded', output: 'done by a bare executor' });
    });
  });
});
