/**
 * Secrets in task configs: secret header values and URL credentials are stored encrypted (the
 * plain value is nowhere in the SQLite files), masked on read, kept when a read is sent back,
 * never written to the run's log; named secrets are referred to, resolved at run time, rotated
 * in one place and never returned by the API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpTarget } from '../support/http-target.js';
import { createApp, startTestNode, type TestNode } from '../support/test-node.js';
import { runOnce } from '../dify/support.js';

const BEARER = 'Bearer tok-SECRET-1234abcd';
const MARKED = 'xt-SECRET-5678efgh';
const URL_PASSWORD = 'pw-SECRET-9999ijkl';
const NAMED = 'rt-SECRET-named-0001';
const ROTATED = 'rt-SECRET-rotated-0002';
const PLAIN = [BEARER, 'tok-SECRET-1234abcd', MARKED, URL_PASSWORD, NAMED, ROTATED];

const httpTask = (config: Record<string, unknown>, name = 'call') => ({
  name,
  app: 'demo',
  type: 'http',
  config,
  schedule: { type: 'api' },
});

/** Every byte of the node's SQLite files (database, WAL, shared memory) as latin1 text. */
function databaseText(node: TestNode): string {
  return readdirSync(node.dataDir)
    .filter((file) => file.startsWith('kairos.db'))
    .map((file) => readFileSync(join(node.dataDir, file)).toString('latin1'))
    .join('\n');
}

async function logText(node: TestNode, runId: number): Promise<string> {
  const logs = await node.api('GET', `/api/v1/runs/${runId}/logs`);
  return JSON.stringify(logs.body);
}

describe('secrets in task configs', () => {
  it('encrypts secret headers and URL credentials at rest, masks them on read, keeps them when a read is sent back', async () => {
    const node = await startTestNode();
    await createApp(node);
    const seen: Record<string, unknown>[] = [];
    const target = await startHttpTarget((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers)); // an echo: the stored output must not show the secrets
    });
    const port = new URL(target.url).port;

    const headers = await node.api(
      'POST',
      '/api/v1/tasks',
      httpTask({
        url: `${target.url}/headers`,
        headers: { authorization: BEARER, 'x-token': MARKED, accept: 'text/plain' },
        secretHeaders: ['x-token'],
      }),
    );
    expect(headers.status, JSON.stringify(headers.body)).toBe(201);
    const withUrl = await node.api(
      'POST',
      '/api/v1/tasks',
      httpTask({ url: `http://reporter:${URL_PASSWORD}@127.0.0.1:${port}/basic` }, 'basic'),
    );
    expect(withUrl.status, JSON.stringify(withUrl.body)).toBe(201);

    for (const id of [headers.body.id, withUrl.body.id]) {
      const read = JSON.stringify((await node.api('GET', `/api/v1/tasks/${id}`)).body);
      for (const secret of PLAIN) expect(read).not.toContain(secret);
    }
    const shown = (await node.api('GET', `/api/v1/tasks/${headers.body.id}`)).body.config;
    expect(shown.headers.authorization).toContain('****');
    expect(shown.headers['x-token']).toContain('****');
    expect(shown.headers.accept).toBe('text/plain');
    const shownUrl = (await node.api('GET', `/api/v1/tasks/${withUrl.body.id}`)).body.config;
    expect(shownUrl.url).toBe(`http://127.0.0.1:${port}/basic`);
    expect(shownUrl.headers.authorization).toContain('****');

    // A read sent back unchanged keeps the stored values.
    const patched = await node.api('PATCH', `/api/v1/tasks/${headers.body.id}`, { config: shown });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const masked = await node.api('PATCH', `/api/v1/tasks/${headers.body.id}`, {
      config: { ...shown, headers: { ...shown.headers, 'x-token': 'xt-****nope' } },
    });
    expect(masked.status).toBe(400);
    expect(masked.body.error.field).toBe('config.headers.x-token');

    const run = await runOnce(node, headers.body.id);
    expect(run.status).toBe('succeeded');
    const basic = await runOnce(node, withUrl.body.id);
    expect(basic.status).toBe('succeeded');
    const sent = target.requests.map((r) => r.url);
    expect(sent).toEqual(['/headers', '/basic']);
    expect(seen[0]).toMatchObject({ authorization: BEARER, 'x-token': MARKED, accept: 'text/plain' });
    expect(Buffer.from(String(seen[1]!.authorization).slice(6), 'base64').toString()).toBe(
      `reporter:${URL_PASSWORD}`,
    );
    expect(run.output.body).toMatchObject({ authorization: '****', 'x-token': '****' });
    for (const secret of PLAIN) expect(JSON.stringify([run, basic])).not.toContain(secret);

    const stored = databaseText(node);
    for (const secret of [BEARER, MARKED, URL_PASSWORD]) expect(stored).not.toContain(secret);
  });

  it('never writes a URL password or a secret header into the run log', async () => {
    const node = await startTestNode();
    await createApp(node);
    // Nothing listens on port 9: the run fails and logs the target and the reason.
    const task = await node.api(
      'POST',
      '/api/v1/tasks',
      httpTask({ url: `http://reporter:${URL_PASSWORD}@127.0.0.1:9/x`, headers: { 'x-api-key': MARKED } }),
    );
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const run = await runOnce(node, task.body.id);
    expect(run.status).toBe('failed');
    const logs = await logText(node, run.id);
    expect(logs).toContain('127.0.0.1:9');
    for (const secret of PLAIN) expect(logs).not.toContain(secret);
    expect(JSON.stringify(run)).not.toContain(URL_PASSWORD);
  });

  it('resolves named secrets when a run starts, rotates them in one place, never returns a value', async () => {
    const node = await startTestNode();
    await createApp(node);
    const seen: unknown[] = [];
    const target = await startHttpTarget((req, res) => {
      seen.push(req.headers.authorization);
      res.end('ok');
    });

    const missing = await node.api(
      'POST',
      '/api/v1/tasks',
      httpTask({ url: target.url, headers: { authorization: { $secret: 'reports-token' } } }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'config.headers.authorization',
    });

    const created = await node.api('POST', '/api/v1/secrets', {
      name: 'reports-token',
      value: NAMED,
      description: 'the reports API',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'reports-token',
      namespace: 'default',
      description: 'the reports API',
    });
    const again = await node.api('POST', '/api/v1/secrets', { name: 'reports-token', value: 'x' });
    expect(again.status).toBe(409);
    const badName = await node.api('POST', '/api/v1/secrets', { name: 'no spaces', value: 'x' });
    expect(badName.body.error.field).toBe('name');

    const task = await node.api(
      'POST',
      '/api/v1/tasks',
      httpTask({ url: target.url, headers: { authorization: { $secret: 'reports-token' } } }),
    );
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    expect((await node.api('GET', `/api/v1/tasks/${task.body.id}`)).body.config.headers).toEqual({
      authorization: { $secret: 'reports-token' },
    });
    expect((await runOnce(node, task.body.id)).status).toBe('succeeded');
    expect(seen).toEqual([NAMED]);

    const rotated = await node.api('PUT', '/api/v1/secrets/reports-token', { value: ROTATED });
    expect(rotated.status).toBe(200);
    expect((await runOnce(node, task.body.id)).status).toBe('succeeded');
    expect(seen).toEqual([NAMED, ROTATED]);

    const reads = JSON.stringify([
      (await node.api('GET', '/api/v1/secrets')).body,
      (await node.api('GET', '/api/v1/secrets/reports-token')).body,
      rotated.body,
      created.body,
    ]);
    for (const secret of PLAIN) expect(reads).not.toContain(secret);
    expect(databaseText(node)).not.toContain(ROTATED);

    expect((await node.api('DELETE', '/api/v1/secrets/reports-token')).status).toBe(204);
    expect((await node.api('GET', '/api/v1/secrets/reports-token')).status).toBe(404);
    const failed = await runOnce(node, task.body.id);
    expect(failed.error).toMatchObject({ type: 'config' });
    expect(failed.error.message).toContain('reports-token');
  });

  it('masks a secret header stored in clear by an older version, and seals it when the read is sent back', async () => {
    const node = await startTestNode();
    await createApp(node);
    const task = await node.api('POST', '/api/v1/tasks', httpTask({ url: 'http://127.0.0.1:9/' }));
    // As a version before sealing stored it.
    await node.store.updateTask(task.body.id, {
      config: {
        method: 'GET',
        url: 'http://127.0.0.1:9/',
        headers: { authorization: BEARER },
        maxResponseBytes: 65536,
      },
    });
    const shown = (await node.api('GET', `/api/v1/tasks/${task.body.id}`)).body.config;
    expect(shown.headers.authorization).toContain('****');
    expect(JSON.stringify(shown)).not.toContain('tok-SECRET');
    const patched = await node.api('PATCH', `/api/v1/tasks/${task.body.id}`, { config: shown });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const stored = (await node.store.getTask(task.body.id))!.config as { headers: Record<string, string> };
    expect(stored.headers.authorization).toMatch(/^enc:v1:/);
    // (The clear value this test wrote may linger in SQLite's free pages until they are reused.)
  });
});
