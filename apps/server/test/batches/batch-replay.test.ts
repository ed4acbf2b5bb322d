/**
 * A finished batch replayed against another workflow version (the Dify simulator runs
 * POST /v1/workflows/{workflow_id}/run) and compared item by item: the same version gives the same
 * outputs (all unchanged), a workflow that fails regresses every item and the way back improves
 * them; a replay's bad input is a 400 naming the field, a batch not finished a 409, and nothing is
 * created.
 */
import { describe, expect, it } from 'vitest';
import { createDifyTask, SIMPLE_INPUTS, startSim } from '../dify/support.js';
import { startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

const VERSION = '7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ALLOW = { max: 10, overlap: 'allow' };
const LINES = [
  { article: 'Acme grew.', tone: 'neutral' },
  { article: 'Globex shrank.', tone: 'upbeat' },
  { article: 'Initech stalled.', tone: 'angry' }, // not one of the workflow's tones: invalid
  { article: 'Umbrella pivoted.', tone: 'neutral' },
];

async function finished(node: TestNode, res: { status: number; body: any }): Promise<any> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as number;
  if (res.body.status !== 'completed') {
    await node.waitFor('batch:changed', (p) => p.batch.id === id && p.batch.status === 'completed', 20_000);
  }
  return (await node.api('GET', `/api/v1/batches/${id}`)).body;
}

const compare = async (node: TestNode, a: number, b: number) => {
  const res = await node.api('GET', `/api/v1/batches/${a}/compare/${b}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

describe('batch replay and comparison', () => {
  it('replays a batch pinned to a workflow version and compares the two item by item', async () => {
    const node = await startTestNode();
    const sim = await startSim();
    const task = await createDifyTask(node, sim, 'app-simple', { task: { concurrency: ALLOW } });
    const taskId = task.body.id as number;
    const content = LINES.map((l) => JSON.stringify(l)).join('\n');
    const baseline = await finished(
      node,
      await node.api('POST', '/api/v1/batches', {
        taskId,
        concurrency: 2,
        source: { type: 'upload', format: 'jsonl', content },
      }),
    );
    expect(baseline.progress).toMatchObject({ done: 3, invalid: 1 });

    const pinned = await finished(
      node,
      await node.api('POST', `/api/v1/batches/${baseline.id}/replay`, { workflowId: VERSION }),
    );
    expect(pinned).toMatchObject({
      taskId,
      name: `replay of batch ${baseline.id}`,
      concurrency: 2,
      source: { type: 'batch', batchId: baseline.id, workflowId: VERSION },
      progress: { total: 4, done: 3, invalid: 1, failed: 0 },
    });
    const sent = sim.requests.filter((r) => r.method === 'POST' && r.path === `/v1/workflows/${VERSION}/run`);
    expect(sent.map((r) => (r.body as { inputs: { article: string } }).inputs.article).sort()).toEqual([
      'Acme grew.',
      'Globex shrank.',
      'Umbrella pivoted.',
    ]);

    const same = await compare(node, baseline.id, pinned.id);
    expect(same.totals).toMatchObject({
      items: 4,
      improved: 0,
      regressed: 0,
      unchanged: 4,
      pending: 0,
      outputsDiffer: 0,
      tokens: { delta: 0 },
      cost: { delta: 0 },
    });
    expect(same.items[0]).toMatchObject({
      seq: 1,
      baseline: { status: 'succeeded', tokens: 326 },
      candidate: { status: 'succeeded', tokens: 326 },
      outputEqual: true,
      tokensDelta: 0,
      verdict: 'unchanged',
    });
    expect(same.items[2]).toMatchObject({ seq: 3, baseline: { status: 'invalid' }, verdict: 'unchanged' });

    // The task now runs a workflow that fails: its replay regresses every valid item.
    const patched = await node.api('PATCH', `/api/v1/tasks/${taskId}`, {
      config: { endpoint: `${sim.url}/v1`, apiKey: 'app-failing', inputs: SIMPLE_INPUTS },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const failing = await finished(node, await node.api('POST', `/api/v1/batches/${baseline.id}/replay`, {}));
    expect(failing.progress).toMatchObject({ done: 0, failed: 3, invalid: 1 });
    const worse = await compare(node, baseline.id, failing.id);
    expect(worse.totals).toMatchObject({
      items: 4,
      regressed: 3,
      unchanged: 1,
      improved: 0,
      outputsDiffer: 3,
    });
    expect(worse.totals.tokens).toEqual({ baseline: 978, candidate: 0, delta: -978 });
    expect(worse.items[0]).toMatchObject({ verdict: 'regressed', outputEqual: false, tokensDelta: null });
    const better = await compare(node, failing.id, pinned.id);
    expect(better.totals).toMatchObject({ improved: 3, regressed: 0, unchanged: 1 });

    // Paged: the totals stay those of all items.
    const page = (await node.api('GET', `/api/v1/batches/${baseline.id}/compare/${failing.id}?limit=2`)).body;
    expect(page.items.map((i: any) => i.seq)).toEqual([1, 2]);
    expect(page.nextAfterSeq).toBe(2);
    expect(page.totals.regressed).toBe(3);
    const rest = (
      await node.api('GET', `/api/v1/batches/${baseline.id}/compare/${failing.id}?limit=2&afterSeq=2`)
    ).body;
    expect(rest.items.map((i: any) => i.seq)).toEqual([3, 4]);
    expect(rest.nextAfterSeq).toBeNull();
  });

  it('refuses a bad replay or comparison, naming the field, and creates nothing', async () => {
    const node = await startTestNode();
    const sim = await startSim();
    const task = await createDifyTask(node, sim, 'app-simple', { task: { concurrency: ALLOW } });
    const other = await createDifyTask(node, sim, 'app-simple', {
      task: { name: 'other', concurrency: ALLOW },
    });
    const content = JSON.stringify(LINES[0]);
    const start = (taskId: number) =>
      node.api('POST', '/api/v1/batches', {
        taskId,
        concurrency: 1,
        source: { type: 'upload', format: 'jsonl', content },
      });
    const done = await finished(node, await start(task.body.id));
    const count = async () => (await node.api('GET', '/api/v1/batches')).body.items.length;
    const before = await count();

    const notUuid = await node.api('POST', `/api/v1/batches/${done.id}/replay`, { workflowId: 'v2' });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'workflowId' });
    const noPool = await node.api('POST', `/api/v1/batches/${done.id}/replay`, { pool: 'nope' });
    expect(noPool.status).toBe(400);
    expect(noPool.body.error.field).toBe('pool');
    const zero = await node.api('POST', `/api/v1/batches/${done.id}/replay`, { concurrency: 0 });
    expect(zero.body.error.field).toBe('concurrency');
    expect((await node.api('POST', '/api/v1/batches/999999/replay', {})).status).toBe(404);

    // Not finished: paused at once (fifty items, one at a time, cannot all be done by then).
    const running = await node.api('POST', '/api/v1/batches', {
      taskId: task.body.id,
      concurrency: 1,
      source: { type: 'upload', format: 'jsonl', content: Array(50).fill(content).join('\n') },
    });
    expect((await node.api('POST', `/api/v1/batches/${running.body.id}/pause`, {})).status).toBe(200);
    const early = await node.api('POST', `/api/v1/batches/${running.body.id}/replay`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/only a finished batch/);
    expect(await count()).toBe(before + 1);

    const otherBatch = await finished(node, await start(other.body.id));
    const mixed = await node.api('GET', `/api/v1/batches/${done.id}/compare/${otherBatch.id}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error).toMatchObject({ field: 'otherId' });
    const missing = await node.api('GET', `/api/v1/batches/${done.id}/compare/999999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.field).toBe('otherId');
  });
});
