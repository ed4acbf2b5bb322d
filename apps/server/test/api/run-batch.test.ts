/**
 * POST /api/v1/runs/batch: many triggers in one request and one transaction, per-item results,
 * and the bad inputs the issue names: a batch over the limit, unknown tasks or tasks of another
 * namespace (their items only), repeated idempotency keys (the same run).
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

async function apiTask(node: TestNode, url: string, namespace?: string): Promise<number> {
  const body = {
    name: 'hook',
    app: 'demo',
    type: 'http',
    config: { url, method: 'POST' },
    schedule: { type: 'api' },
    concurrency: { max: 100, overlap: 'allow' },
    ...(namespace ? { namespace } : {}),
  };
  const res = await node.api('POST', '/api/v1/tasks', body);
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('POST /api/v1/runs/batch', () => {
  it('triggers every item in order; an unknown task fails its item only; a repeated key is one run', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget();
    await createApp(node);
    const taskId = await apiTask(node, target.url);
    let done = 0;
    const allDone = node.waitFor('run:finished', () => ++done === 3);
    const res = await node.api('POST', '/api/v1/runs/batch', {
      items: [
        { taskId, input: { n: 1 } },
        { taskId: 999_999, input: { n: 2 } },
        { taskId, input: { n: 3 }, idempotencyKey: 'k' },
        { taskId, input: { n: 4 }, idempotencyKey: 'k' },
        { taskId, input: { n: 5 } },
      ],
    });
    expect(res.status).toBe(200);
    const [one, unknown, keyed, repeated, five] = res.body.items;
    expect(one).toEqual({ runId: expect.any(Number), created: true });
    expect(unknown).toEqual({
      error: { code: 'TASK_NOT_FOUND', message: 'task 999999 does not exist', field: 'items.1.taskId' },
    });
    expect(keyed.created).toBe(true);
    expect(repeated).toEqual({ runId: keyed.runId, created: false });
    expect(five.runId).toBeGreaterThan(keyed.runId);
    await allDone;
    expect(target.requests.map((r) => JSON.parse(r.body).n).sort()).toEqual([1, 3, 5]);
    const run = await node.api('GET', `/api/v1/runs/${one.runId}`);
    expect(run.body).toMatchObject({ triggerType: 'api', status: 'succeeded', input: { n: 1 } });

    // The same key in a later batch (or a single trigger) returns the first run again.
    const again = await node.api('POST', '/api/v1/runs/batch', { items: [{ taskId, idempotencyKey: 'k' }] });
    expect(again.body.items).toEqual([{ runId: keyed.runId, created: false }]);
  });

  it('refuses tasks of another namespace when one is named, item by item', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget();
    await createApp(node);
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    await node.api('POST', '/api/v1/apps', { namespace: 'other', appName: 'demo', name: 'Other demo' });
    const mine = await apiTask(node, target.url);
    const theirs = await apiTask(node, target.url, 'other');
    const res = await node.api('POST', '/api/v1/runs/batch', {
      namespace: 'default',
      items: [{ taskId: theirs }, { taskId: mine }],
    });
    expect(res.status).toBe(200);
    expect(res.body.items[0].error).toMatchObject({ code: 'TASK_NOT_FOUND', field: 'items.0.taskId' });
    expect(res.body.items[0].error.message).toContain('in namespace default');
    expect(res.body.items[1].created).toBe(true);
  });

  it('refuses a batch over 1,000 items, or an empty one, naming the field; nothing is stored', async () => {
    const node = await startTestNode();
    const target = await startHttpTarget();
    await createApp(node);
    const taskId = await apiTask(node, target.url);
    const tooMany = await node.api('POST', '/api/v1/runs/batch', {
      items: Array.from({ length: 1001 }, () => ({ taskId })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'items' });
    expect(tooMany.body.error.message).toContain('at most 1000 items');
    const empty = await node.api('POST', '/api/v1/runs/batch', { items: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('items');
    const badItem = await node.api('POST', '/api/v1/runs/batch', { items: [{ taskId: 'x' }] });
    expect(badItem.status).toBe(400);
    expect(badItem.body.error.field).toBe('items.0.taskId');
    expect(await node.store.countRuns({ taskId })).toBe(0);
  });
});
