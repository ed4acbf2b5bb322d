/**
 * A forEach node whose item fails: `continue` (the default) runs every item and fails the node at
 * the end with the list of outputs; `fail_fast` fails the node at the first failed item, cancels
 * the items still going and starts no more. Real HTTP items against a target on 127.0.0.1.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

/** Item 1 fails (400), item 0 is held unanswered when `holdFirst`, the others succeed. */
async function itemTarget(holdFirst: boolean) {
  const held: ServerResponse[] = [];
  const target = await startHttpTarget((_req, res, body) => {
    const { i } = JSON.parse(body) as { i: number };
    if (i === 0 && holdFirst) return held.push(res);
    res.statusCode = i === 1 ? 400 : 200;
    res.end('{}');
  });
  return { target, held };
}

async function runForEach(node: TestNode, url: string, onItemFailure?: string) {
  await createApp(node);
  const created = await node.api('POST', '/api/v1/workflows', {
    name: `each-${onItemFailure ?? 'default'}`,
    app: 'demo',
    input: { items: [0, 1, 2, 3, 4, 5] },
    nodes: [
      {
        key: 'each',
        task: { type: 'http', config: { url, method: 'POST' } },
        forEach: { items: 'input.items', concurrency: 2, ...(onItemFailure ? { onItemFailure } : {}) },
        input: '{ "i": item }',
      },
      { key: 'after', task: { type: 'http', config: { url, method: 'POST' } }, input: '{ "i": 99 }' },
    ],
    edges: [{ from: 'each', to: 'after', condition: 'on_failure' }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.nodes[0].forEach.onItemFailure).toBe(onItemFailure ?? 'continue');
  const ended = node.waitFor('workflow_run:finished', (e) => e.run.workflowId === created.body.id);
  const started = await node.api('POST', `/api/v1/workflows/${created.body.id}/run`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  await ended;
  await node.events.settle();
  return (await node.api('GET', `/api/v1/workflow-runs/${started.body.id}`)).body;
}

const itemsCalled = (requests: { body: string }[]) =>
  requests.map((r) => (JSON.parse(r.body) as { i: number }).i).filter((i) => i !== 99);

describe('forEach onItemFailure', () => {
  it('continue (default): every item runs, the node fails at the end naming the failed item', async () => {
    const node = await startTestNode();
    const { target } = await itemTarget(false);
    const run = await runForEach(node, target.url);
    expect(run.status).toBe('succeeded');
    const [each, after] = run.nodes;
    expect(each).toMatchObject({ status: 'failed', error: { type: 'workflow_item_failed' } });
    expect(each.error.message).toMatch(/^item 1 ended failed/);
    expect(each.runIds).toHaveLength(6);
    expect(each.output).toHaveLength(6);
    expect(itemsCalled(target.requests).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.status).toBe('succeeded');
  });

  it('fail_fast: the node fails at the first failed item, the item going is cancelled, no more start', async () => {
    const node = await startTestNode();
    const { target, held } = await itemTarget(true);
    const run = await runForEach(node, target.url, 'fail_fast');
    const [each, after] = run.nodes;
    expect(each).toMatchObject({ status: 'failed', error: { type: 'workflow_item_failed' } });
    expect(each.error.message).toMatch(/^item 1 ended failed/);
    // Items 0 and 1 were started (concurrency 2); 1 failed, 0 was cancelled; 2-5 never ran.
    expect(itemsCalled(target.requests).sort()).toEqual([0, 1]);
    expect(each.runIds).toHaveLength(2);
    const statuses = await Promise.all(
      each.runIds.map(async (id: number) => (await node.api('GET', `/api/v1/runs/${id}`)).body),
    );
    expect(Object.fromEntries(statuses.map((r) => [r.workflowItem, r.status]))).toEqual({
      0: 'cancelled',
      1: 'failed',
    });
    expect(held).toHaveLength(1);
    // Its on_failure edge is taken as for any failure.
    expect(after.status).toBe('succeeded');
    expect(run.status).toBe('succeeded');
  });
});
