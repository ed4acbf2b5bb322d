/**
 * A workflow's `concurrency` over its runs, as for a task's: with `max` runs going, a new run is
 * left out (`skip`), held `queued` until one ends (`queue`), replaces the oldest (`replace`), or
 * starts anyway (`allow`). Real HTTP nodes against a target that holds each request until the
 * test answers it, on SQLite.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

/**
 * A target that answers nothing until told: `release()` answers every request held so far;
 * `arrived(n)` resolves once n requests have arrived in all.
 */
async function heldTarget() {
  const held: ServerResponse[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const target = await startHttpTarget((_req, res) => {
    held.push(res);
    for (const w of waiting.filter((w) => target.requests.length >= w.n)) w.resolve();
  });
  return {
    url: target.url,
    requests: target.requests,
    arrived: (n: number) =>
      target.requests.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ n, resolve })),
    release: () => {
      for (const res of held.splice(0)) res.end('{}');
    },
  };
}

async function workflowWith(
  node: TestNode,
  url: string,
  concurrency: { max?: number; overlap: string },
): Promise<number> {
  await createApp(node);
  const created = await node.api('POST', '/api/v1/workflows', {
    name: `overlap-${concurrency.overlap}`,
    app: 'demo',
    concurrency,
    nodes: [{ key: 'hold', task: { type: 'http', config: { url: `${url}/hold`, method: 'POST' } } }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

/** Starts a run and waits until its node's request (the target's n-th) is held by the target. */
async function startHeld(node: TestNode, workflowId: number, target: Held, n: number) {
  const run = await node.api('POST', `/api/v1/workflows/${workflowId}/run`, {});
  expect(run.status, JSON.stringify(run.body)).toBe(201);
  await target.arrived(n);
  return run.body;
}

type Held = Awaited<ReturnType<typeof heldTarget>>;

const getRun = async (node: TestNode, id: number) =>
  (await node.api('GET', `/api/v1/workflow-runs/${id}`)).body;

describe('workflow overlap and concurrency.max', () => {
  it('skip: a run while max runs are going is refused, naming the run going', async () => {
    const node = await startTestNode();
    const target = await heldTarget();
    const id = await workflowWith(node, target.url, { max: 1, overlap: 'skip' });
    const first = await startHeld(node, id, target, 1);
    const second = await node.api('POST', `/api/v1/workflows/${id}/run`, {});
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(`workflow run ${first.id} is still going`);
    expect((await node.api('GET', `/api/v1/workflow-runs?workflowId=${id}`)).body.items).toHaveLength(1);
    const ended = node.waitFor('workflow_run:finished', (e) => e.run.id === first.id);
    target.release();
    await ended;
    expect((await getRun(node, first.id)).status).toBe('succeeded');
  });

  it('queue with max 2: a third run waits queued and starts when one ends', async () => {
    const node = await startTestNode();
    const target = await heldTarget();
    const id = await workflowWith(node, target.url, { max: 2, overlap: 'queue' });
    const first = await startHeld(node, id, target, 1);
    const second = await startHeld(node, id, target, 2);
    const third = await node.api('POST', `/api/v1/workflows/${id}/run`, {});
    expect(third.status).toBe(201);
    expect(third.body).toMatchObject({ status: 'queued' });
    expect(third.body.startedAt).toBeUndefined();
    expect(third.body.nodes[0].status).toBe('pending');
    await node.events.settle();
    expect(target.requests).toHaveLength(2);

    // The two going end: the queued one starts, its node is called, and it ends too.
    target.release();
    await target.arrived(3);
    const thirdEnded = node.waitFor('workflow_run:finished', (e) => e.run.id === third.body.id);
    target.release();
    await thirdEnded;
    const runs = [
      await getRun(node, first.id),
      await getRun(node, second.id),
      await getRun(node, third.body.id),
    ];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // It started only once one of the first two had finished.
    const firstEnd = Math.min(...runs.slice(0, 2).map((r) => Date.parse(r.finishedAt)));
    expect(Date.parse(runs[2].startedAt)).toBeGreaterThanOrEqual(firstEnd);
    expect(target.requests).toHaveLength(3);
  });

  it('queue: a queued run can be cancelled and never starts', async () => {
    const node = await startTestNode();
    const target = await heldTarget();
    const id = await workflowWith(node, target.url, { max: 1, overlap: 'queue' });
    const first = await startHeld(node, id, target, 1);
    const queued = (await node.api('POST', `/api/v1/workflows/${id}/run`, {})).body;
    expect(queued.status).toBe('queued');
    const cancelled = await node.api('POST', `/api/v1/workflow-runs/${queued.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    const ended = node.waitFor('workflow_run:finished', (e) => e.run.id === first.id);
    target.release();
    await ended;
    await node.events.settle();
    expect(target.requests).toHaveLength(1);
    expect((await getRun(node, queued.id)).nodes[0].status).toBe('cancelled');
  });

  it('replace: the running run is cancelled (its node run too) and the new one starts', async () => {
    const node = await startTestNode();
    const target = await heldTarget();
    const id = await workflowWith(node, target.url, { max: 1, overlap: 'replace' });
    const first = await startHeld(node, id, target, 1);
    const firstEnded = node.waitFor('workflow_run:finished', (e) => e.run.id === first.id);
    const second = await startHeld(node, id, target, 2);
    await firstEnded;
    const replaced = await getRun(node, first.id);
    expect(replaced).toMatchObject({ status: 'cancelled', nodes: [{ status: 'cancelled' }] });
    expect(replaced.error.message).toContain(`replaced by workflow run ${second.id}`);
    const secondEnded = node.waitFor('workflow_run:finished', (e) => e.run.id === second.id);
    target.release();
    await secondEnded;
    expect((await getRun(node, second.id)).status).toBe('succeeded');
    const firstNodeRun = (await node.api('GET', `/api/v1/runs/${replaced.nodes[0].runIds[0]}`)).body;
    expect(firstNodeRun.status).toBe('cancelled');
  });

  it('allow: runs overlap past max', async () => {
    const node = await startTestNode();
    const target = await heldTarget();
    const id = await workflowWith(node, target.url, { max: 1, overlap: 'allow' });
    const first = await startHeld(node, id, target, 1);
    const second = await startHeld(node, id, target, 2);
    expect([first.status, second.status]).toEqual(['running', 'running']);
    let ended = 0;
    const both = node.waitFor('workflow_run:finished', () => ++ended === 2);
    target.release();
    await both;
  });
});
