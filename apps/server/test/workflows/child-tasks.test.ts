/**
 * Child tasks (XXL-JOB's childJobId): a task's final success triggers its children, whose runs
 * are stored with the parent's end (trigger `parent`, `triggeredBy` the parent run); a failure
 * that will be retried triggers nothing, nor does a final failure. Bad input: an unknown child,
 * a child of another namespace, a loop, each a 400 naming the field, nothing saved.
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

async function httpTask(node: TestNode, url: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await node.api('POST', '/api/v1/tasks', {
    name: `t-${Math.random().toString(36).slice(2, 8)}`,
    app: 'demo',
    type: 'http',
    config: { url, method: 'POST' },
    schedule: { type: 'api' },
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

describe('child tasks', () => {
  it('runs the children once when the parent succeeds, after a failed attempt that was retried', async () => {
    const node = await startTestNode();
    await createApp(node);
    let calls = 0;
    const flaky = await startHttpTarget((_req, res) => {
      calls += 1;
      res.statusCode = calls === 1 ? 500 : 200;
      res.end('{}');
    });
    const children = await startHttpTarget();
    const a = await httpTask(node, `${children.url}/a`);
    const b = await httpTask(node, `${children.url}/b`);
    const parent = await httpTask(node, flaky.url, {
      childTaskIds: [a, b],
      retry: { maxAttempts: 2, delaySeconds: 0 },
    });
    expect((await node.api('GET', `/api/v1/tasks/${parent}`)).body.childTaskIds).toEqual([a, b]);

    let childEnds = 0;
    const both = node.waitFor('run:finished', (e) => e.run.triggerType === 'parent' && ++childEnds === 2);
    const { body } = await node.api('POST', `/api/v1/tasks/${parent}/run`, {});
    await both;
    const runs = (await node.api('GET', `/api/v1/runs?triggerType=parent`)).body.items;
    expect(runs).toHaveLength(2);
    const retried = (await node.api('GET', `/api/v1/runs?taskId=${parent}`)).body.items;
    const success = retried.find((r: any) => r.status === 'succeeded');
    expect(retried.map((r: any) => r.status).sort()).toEqual(['failed', 'succeeded']);
    for (const run of runs) expect(run).toMatchObject({ status: 'succeeded', triggeredBy: success.id });
    expect(children.requests.map((r) => r.url).sort()).toEqual(['/a', '/b']);
    expect(body.runId).toBeGreaterThan(0);
  });

  it('triggers nothing when the parent fails finally', async () => {
    const node = await startTestNode();
    await createApp(node);
    const failing = await startHttpTarget((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const children = await startHttpTarget();
    const child = await httpTask(node, children.url);
    const parent = await httpTask(node, failing.url, { childTaskIds: [child] });
    const ended = node.waitFor('run:finished', (e) => e.run.taskId === parent);
    await node.api('POST', `/api/v1/tasks/${parent}/run`, {});
    expect((await ended).run.status).toBe('failed');
    // The children would have been stored with the parent's end, in its transaction.
    await node.events.settle();
    expect((await node.api('GET', `/api/v1/runs?taskId=${child}`)).body.items).toEqual([]);
    expect(children.requests).toEqual([]);
  });

  it('refuses an unknown child, a child of another namespace and a loop, naming the field', async () => {
    const node = await startTestNode();
    await createApp(node);
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    await node.api('POST', '/api/v1/apps', { namespace: 'other', appName: 'demo', name: 'Other' });
    const target = await startHttpTarget();
    const mine = await httpTask(node, target.url);
    const theirs = await httpTask(node, target.url, { namespace: 'other' });
    const create = (childTaskIds: number[]) =>
      node.api('POST', '/api/v1/tasks', {
        name: 'parent',
        app: 'demo',
        type: 'http',
        config: { url: target.url },
        schedule: { type: 'api' },
        childTaskIds,
      });

    const unknown = await create([mine, 999_999]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'childTaskIds[1]' });
    expect(unknown.body.error.message).toContain('no task 999999');

    const foreign = await create([theirs]);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatchObject({ field: 'childTaskIds[0]' });
    expect(foreign.body.error.message).toContain('another namespace');
    const listed = (await node.api('GET', '/api/v1/tasks?namespace=default')).body.items;
    expect(listed.map((t: any) => t.name)).not.toContain('parent');

    // mine → second → mine would trigger forever.
    const second = await httpTask(node, target.url, { childTaskIds: [mine] });
    const loop = await node.api('PATCH', `/api/v1/tasks/${mine}`, { childTaskIds: [second] });
    expect(loop.status).toBe(400);
    expect(loop.body.error.field).toBe('childTaskIds');
    expect(loop.body.error.message).toContain(`cycle: ${mine} → ${second} → ${mine}`);
    expect((await node.api('GET', `/api/v1/tasks/${mine}`)).body.childTaskIds).toEqual([]);
  });
});
