/**
 * /api/v1/batches end to end with http tasks against a real receiver on 127.0.0.1: progress,
 * per-item errors, concurrency, pause and resume, cancel, retry of the failed items only, results
 * as JSONL and CSV, and the sources (upload, URL, an earlier run's output).
 */
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

async function httpTask(node: TestNode, url: string): Promise<number> {
  await createApp(node);
  const res = await node.api('POST', '/api/v1/tasks', {
    name: 'per-item',
    app: 'demo',
    type: 'http',
    config: { url, method: 'POST' },
    schedule: { type: 'api' },
    concurrency: { max: 50, overlap: 'allow' },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n');

/** Waits for the batch's state to satisfy `match` (its changes are announced on the bus). */
function batchState(node: TestNode, match: (b: any) => boolean, timeoutMs = 20_000): Promise<any> {
  return node.waitFor('batch:changed', (p) => match(p.batch), timeoutMs).then((p) => p.batch);
}

/** A receiver that holds each request until the test releases it; tracks how many are in flight. */
async function heldReceiver() {
  const held: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const target = await startHttpTarget((_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    held.push(() => {
      inFlight--;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    for (const w of waiters.splice(0))
      if (held.length >= w.n) w.resolve();
      else waiters.push(w);
  });
  return {
    target,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Resolves once `n` requests are held. */
    holding: (n: number) =>
      new Promise<void>((resolve) => (held.length >= n ? resolve() : waiters.push({ n, resolve }))),
    releaseAll: () => held.splice(0).forEach((release) => release()),
  };
}

describe('batches of http tasks', () => {
  it('runs every valid item once, reports per-item errors, and answers progress and results', async () => {
    const node = await startTestNode();
    let failing = true;
    let inFlight = 0;
    let maxInFlight = 0;
    const target = await startHttpTarget((_req, res, body) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const input = JSON.parse(body);
      setImmediate(() => {
        inFlight--;
        res.statusCode = failing && input.n % 5 === 0 ? 500 : 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ doubled: input.n * 2 }));
      });
    });
    const taskId = await httpTask(node, target.url);
    const rows = Array.from({ length: 20 }, (_, i) => ({ n: i + 1 }));
    const content = [jsonl(rows.slice(0, 10)), 'this is not json', '[1,2]', '', jsonl(rows.slice(10))].join(
      '\n',
    );
    const completed = batchState(node, (b) => b.status === 'completed');
    const res = await node.api('POST', '/api/v1/batches', {
      taskId,
      name: 'doubling',
      concurrency: 3,
      input: { shared: 'yes', n: -1 },
      source: { type: 'upload', format: 'jsonl', content, filename: 'rows.jsonl' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'doubling', status: 'running', concurrency: 3, taskId });
    expect(res.body.progress).toMatchObject({ total: 22, invalid: 2 });
    expect(res.body.itemErrors).toEqual([
      { seq: 11, message: expect.stringMatching(/^line 11: not JSON/) },
      { seq: 12, message: 'line 12: must be a JSON object of inputs, not an array' },
    ]);
    const id = res.body.id;
    await completed;

    // Each valid item ran once with its input merged over the batch's; never more than 3 at once.
    const sent = target.requests.map((r) => JSON.parse(r.body));
    expect(sent.map((b) => b.n).sort((a, b) => a - b)).toEqual(rows.map((r) => r.n));
    expect(sent.every((b) => b.shared === 'yes')).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(3);

    const batch = (await node.api('GET', `/api/v1/batches/${id}`)).body;
    expect(batch.status).toBe('completed');
    expect(batch.progress).toMatchObject({
      total: 22,
      done: 16,
      failed: 4,
      invalid: 2,
      cancelled: 0,
      running: 0,
      left: 0,
      estimatedFinishAt: null,
    });
    expect(batch.finishedAt).not.toBeNull();

    const failed = (await node.api('GET', `/api/v1/batches/${id}/items?status=failed`)).body.items;
    expect(failed.map((i: any) => i.input.n)).toEqual([5, 10, 15, 20]);
    expect(failed[0].error).toMatchObject({ type: 'http', status: 500 });

    // Results: one line per item, in order.
    const lines = await fetch(`${node.url}/api/v1/batches/${id}/results`, {
      headers: { authorization: `Bearer test-admin-token-0123456789` },
    });
    expect(lines.headers.get('content-type')).toContain('application/x-ndjson');
    const items = (await lines.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(items[0]).toMatchObject({ status: 'succeeded', output: { status: 200, body: { doubled: 2 } } });
    expect(items[10]).toMatchObject({ status: 'invalid', input: null });

    // Only the failed items run again; they succeed now.
    failing = false;
    const before = target.requests.length;
    const again = batchState(node, (b) => b.status === 'completed' && b.failed === 0);
    const retried = await node.api('POST', `/api/v1/batches/${id}/retry-failed`);
    expect(retried.status).toBe(200);
    expect(retried.body.retried).toBe(4);
    await again;
    const rerun = target.requests.slice(before).map((r) => JSON.parse(r.body).n);
    expect(rerun.sort((a, b) => a - b)).toEqual([5, 10, 15, 20]);
    const after = (await node.api('GET', `/api/v1/batches/${id}`)).body;
    expect(after.progress).toMatchObject({ done: 20, failed: 0, invalid: 2, left: 0 });
    const fifth = (await node.api('GET', `/api/v1/batches/${id}/items?afterSeq=4&limit=1`)).body.items[0];
    expect(fifth).toMatchObject({ seq: 5, status: 'succeeded', attempt: 2 });

    const csv = await fetch(`${node.url}/api/v1/batches/${id}/results?format=csv`, {
      headers: { authorization: `Bearer test-admin-token-0123456789` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const csvLines = (await csv.text()).trim().split('\n');
    expect(csvLines[0]).toBe('seq,status,attempt,run_id,tokens,cost,error,input,output');
    expect(csvLines).toHaveLength(23);
    expect(csvLines[5]).toMatch(/^5,succeeded,2,\d+,,,,/);

    const list = (await node.api('GET', `/api/v1/batches?taskId=${taskId}`)).body.items;
    expect(list.map((b: any) => b.id)).toEqual([id]);
  });

  it('pauses (running items finish, no new one starts) and resumes', async () => {
    const node = await startTestNode();
    const receiver = await heldReceiver();
    const taskId = await httpTask(node, receiver.target.url);
    const content = jsonl(Array.from({ length: 6 }, (_, i) => ({ n: i })));
    const res = await node.api('POST', '/api/v1/batches', {
      taskId,
      concurrency: 2,
      source: { type: 'upload', format: 'jsonl', content },
    });
    const id = res.body.id;
    await receiver.holding(2);
    const paused = await node.api('POST', `/api/v1/batches/${id}/pause`);
    expect(paused.body.status).toBe('paused');
    const twoDone = batchState(node, (b) => b.id === id && b.succeeded === 2);
    receiver.releaseAll();
    await twoDone;
    await node.events.settle();
    const page = (await node.api('GET', `/api/v1/batches/${id}`)).body;
    expect(page.progress).toMatchObject({ done: 2, running: 0, left: 4 });
    expect(receiver.target.requests).toHaveLength(2);
    const again = await node.api('POST', `/api/v1/batches/${id}/pause`);
    expect(again.status).toBe(409);

    const completed = batchState(node, (b) => b.id === id && b.status === 'completed');
    const resumed = await node.api('POST', `/api/v1/batches/${id}/resume`);
    expect(resumed.body.status).toBe('running');
    for (let held = 4; held <= 6; held += 2) {
      await receiver.holding(2);
      receiver.releaseAll();
    }
    await completed;
    expect(receiver.target.requests).toHaveLength(6);
    expect(receiver.maxInFlight).toBe(2);
  });

  it('cancels: pending items are cancelled, running runs are cancelled', async () => {
    const node = await startTestNode();
    const receiver = await heldReceiver();
    const taskId = await httpTask(node, receiver.target.url);
    const content = jsonl(Array.from({ length: 10 }, (_, i) => ({ n: i })));
    const res = await node.api('POST', '/api/v1/batches', {
      taskId,
      concurrency: 2,
      source: { type: 'upload', format: 'jsonl', content },
    });
    const id = res.body.id;
    await receiver.holding(2);
    const allCancelled = batchState(node, (b) => b.id === id && b.cancelled === 10);
    const cancelled = await node.api('POST', `/api/v1/batches/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await allCancelled;
    receiver.releaseAll();
    const batch = (await node.api('GET', `/api/v1/batches/${id}`)).body;
    expect(batch.progress).toMatchObject({ done: 0, failed: 0, cancelled: 10, left: 0, running: 0 });
    expect(receiver.target.requests).toHaveLength(2);
    const runs = (await node.api('GET', `/api/v1/batches/${id}/items?limit=2`)).body.items;
    for (const item of runs) {
      expect((await node.api('GET', `/api/v1/runs/${item.runId}`)).body.status).toBe('cancelled');
    }
    expect((await node.api('POST', `/api/v1/batches/${id}/resume`)).status).toBe(409);
    expect((await node.api('POST', `/api/v1/batches/${id}/retry-failed`)).status).toBe(409);
  });

  it('reads a CSV from a URL (through the outbound policy) and the list in an earlier run’s output', async () => {
    const node = await startTestNode();
    const files = await startHttpTarget((req, res) => {
      if (req.url === '/rows.csv') {
        res.setHeader('content-type', 'text/csv');
        res.end('city,code\nParis,75\n"Lyon, the city",69\nbroken row with,too,many\n');
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ rows: ['a', 'b', { name: 'c' }] }));
      }
    });
    const taskId = await httpTask(node, `${files.url}/echo`);
    const done = batchState(node, (b) => b.status === 'completed');
    const fromUrl = await node.api('POST', '/api/v1/batches', {
      taskId,
      source: { type: 'url', url: `${files.url}/rows.csv` },
    });
    expect(fromUrl.status).toBe(201);
    expect(fromUrl.body.source).toEqual({ type: 'url', format: 'csv', url: `${files.url}/rows.csv` });
    expect(fromUrl.body.itemErrors).toEqual([
      { seq: 3, message: 'line 4: has 3 field(s); the header has 2 (city, code)' },
    ]);
    await done;
    const items = (await node.api('GET', `/api/v1/batches/${fromUrl.body.id}/items`)).body.items;
    expect(items.map((i: any) => i.input)).toEqual([
      { city: 'Paris', code: '75' },
      { city: 'Lyon, the city', code: '69' },
      null,
    ]);

    // An earlier run's output: a list at a path; elements that are not objects are named `as`.
    const finished = node.waitFor('run:finished', (p) => p.run.taskId === taskId);
    const trigger = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await finished;
    const fromRun = await node.api('POST', '/api/v1/batches', {
      taskId,
      source: { type: 'run', runId: trigger.body.runId, path: 'body.rows', as: 'letter' },
    });
    expect(fromRun.status).toBe(201);
    const runItems = (await node.api('GET', `/api/v1/batches/${fromRun.body.id}/items`)).body.items;
    expect(runItems.map((i: any) => i.input)).toEqual([{ letter: 'a' }, { letter: 'b' }, { name: 'c' }]);
  });

  it('runs its items in the pool it names: the pool’s concurrency holds across the batch', async () => {
    const node = await startTestNode();
    const receiver = await heldReceiver();
    const taskId = await httpTask(node, receiver.target.url);
    const pool = await node.api('POST', '/api/v1/pools', { name: 'provider', concurrency: 1 });
    expect(pool.status).toBe(201);
    const content = jsonl(Array.from({ length: 4 }, (_, i) => ({ n: i })));
    const completed = batchState(node, (b) => b.status === 'completed');
    const res = await node.api('POST', '/api/v1/batches', {
      taskId,
      concurrency: 3,
      pool: 'provider',
      source: { type: 'upload', format: 'jsonl', content },
    });
    expect(res.status).toBe(201);
    expect(res.body.pool).toBe('provider');
    for (let held = 1; held <= 4; held++) {
      await receiver.holding(1);
      receiver.releaseAll();
    }
    await completed;
    expect(receiver.target.requests).toHaveLength(4);
    expect(receiver.maxInFlight).toBe(1);
  });
});
