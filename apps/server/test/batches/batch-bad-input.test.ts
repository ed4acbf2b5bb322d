/**
 * The bad inputs of POST /api/v1/batches: each is a 4xx in the documented shape naming the field,
 * and nothing is stored (no batch, listed or preparing, and no item).
 */
import { describe, expect, it } from 'vitest';
import { BATCH_BODY_LIMIT_BYTES } from '@kairos/protocol';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';

async function setUp(): Promise<{ node: TestNode; taskId: number; url: string }> {
  const node = await startTestNode();
  const target = await startHttpTarget((req, res) => {
    res.statusCode = req.url === '/missing.jsonl' ? 404 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ rows: 'not a list' }));
  });
  await createApp(node);
  const task = await node.api('POST', '/api/v1/tasks', {
    name: 't',
    app: 'demo',
    type: 'http',
    config: { url: target.url, method: 'POST' },
    schedule: { type: 'api' },
  });
  return { node, taskId: task.body.id, url: target.url };
}

async function expectNothingStored(node: TestNode): Promise<void> {
  expect((await node.api('GET', '/api/v1/batches')).body.items).toEqual([]);
  expect(await node.store.listStalePreparing(Number.MAX_SAFE_INTEGER)).toEqual([]);
  expect(await node.store.listBatchItems(1, { afterSeq: 0, limit: 10 })).toEqual([]);
}

const upload = (content: string, format = 'jsonl') => ({ type: 'upload', format, content });

describe('POST /api/v1/batches refuses bad input', () => {
  it('names the field of each refusal and stores nothing', async () => {
    const { node, taskId, url } = await setUp();
    const finished = node.waitFor('run:finished', (p) => p.run.taskId === taskId);
    const run = await node.api('POST', `/api/v1/tasks/${taskId}/run`, {});
    await finished;
    const cases: [unknown, number, string, RegExp][] = [
      [{ taskId: 999_999, source: upload('{"a":1}') }, 400, 'taskId', /task 999999 does not exist/],
      [{ taskId, pool: 'gpt-4o', source: upload('{"a":1}') }, 400, 'pool', /pool "gpt-4o" does not exist/],
      [{ taskId, concurrency: 0, source: upload('{"a":1}') }, 400, 'concurrency', /./],
      [{ taskId, source: { type: 'ftp', url: 'x' } }, 400, 'source.type', /./],
      [{ taskId, source: upload('\n\n') }, 400, 'source.content', /holds no items/],
      [
        { taskId, source: upload('nope\n[1]') },
        400,
        'source.content',
        /no item of the dataset can run; the first: line 1: not JSON/,
      ],
      [{ taskId, source: upload('a,,c\n1,2,3', 'csv') }, 400, 'source.content', /column 2 has no name/],
      [{ taskId, source: upload('a,b,a\n1,2,3', 'csv') }, 400, 'source.content', /names "a" twice/],
      [
        { taskId, source: { type: 'url', url: `${url}/missing.jsonl` } },
        400,
        'source.url',
        /answered HTTP 404/,
      ],
      [
        { taskId, source: { type: 'url', url: 'http://169.254.169.254/latest/meta-data' } },
        400,
        'source.url',
        /refused/,
      ],
      [{ taskId, source: { type: 'url', url: 'file:///etc/passwd' } }, 400, 'source.url', /http/],
      [{ taskId, source: { type: 'run', runId: 999_999 } }, 400, 'source.runId', /run 999999 does not exist/],
      [
        { taskId, source: { type: 'run', runId: run.body.runId, path: 'body.rows' } },
        400,
        'source.path',
        /body\.rows of the run is string, not a list/,
      ],
      [
        { taskId, source: { type: 'run', runId: run.body.runId, path: 'body.rows.deeper.still' } },
        400,
        'source.path',
        /has no field "deeper"/,
      ],
    ];
    for (const [body, status, field, message] of cases) {
      const res = await node.api('POST', '/api/v1/batches', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.field, JSON.stringify(res.body)).toBe(field);
      expect(res.body.error.message).toMatch(message);
    }
    await expectNothingStored(node);
  });

  it('refuses a body over its limit with 413 naming the limit', async () => {
    const { node, taskId } = await setUp();
    const line = `${JSON.stringify({ text: 'x'.repeat(1000) })}\n`;
    const content = line.repeat(Math.ceil(BATCH_BODY_LIMIT_BYTES / line.length) + 1);
    const res = await node.api('POST', '/api/v1/batches', { taskId, source: upload(content) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.error.message).toBe(
      `request body is larger than the limit of ${BATCH_BODY_LIMIT_BYTES} bytes`,
    );
    await expectNothingStored(node);
    // Other routes keep the server's own limit.
    const other = await node.api('POST', '/api/v1/runs/batch', { items: [{ taskId, input: { content } }] });
    expect(other.status).toBe(413);
    expect(other.body.error.message).not.toContain(String(BATCH_BODY_LIMIT_BYTES));
  });

  it('a task of a namespace the caller cannot see is one that does not exist', async () => {
    const { node, taskId } = await setUp();
    await node.api('POST', '/api/v1/namespaces', { name: 'other' });
    const token = await node.api('POST', '/api/v1/tokens', {
      name: 'other operator',
      role: 'operator',
      namespaces: ['other'],
    });
    const res = await node.api(
      'POST',
      '/api/v1/batches',
      { taskId, source: upload('{"a":1}') },
      { authorization: `Bearer ${token.body.token}` },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      field: 'taskId',
      message: `taskId: task ${taskId} does not exist`,
    });
    await expectNothingStored(node);
  });
});
