/**
 * Request hardening: deep JSON is a 400 naming the limit; the framework's own refusals (bad URL
 * escape, over-long path segment, framing, unknown route) use the documented error shape with
 * `field: null`; executors are authenticated before their body is read; slow clients are cut off;
 * the console carries its security headers.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/json-body.js';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';
import type { TestNode } from '../support/test-node.js';

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function raw(node: TestNode, bytes: string | Buffer, endWrite = true): Promise<string> {
  const { hostname, port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('connect', () => {
      socket.write(bytes);
      if (endWrite) socket.end();
    });
    socket.setTimeout(20_000, () => reject(new Error('the server never closed the connection')));
  });
}

function bodyOf(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

const shape = (code: string) => ({ error: { code, message: expect.any(String), field: null } });

describe('request hardening', () => {
  it('refuses JSON nested deeper than the limit with a 400 that names it, saving nothing', async () => {
    const node = await startTestNode();
    await createApp(node);
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const task = await node.api('POST', '/api/v1/tasks', {
      name: 't',
      app: 'demo',
      type: 'http',
      config: { url: 'http://127.0.0.1:9/' },
      schedule: { type: 'api' },
    });
    const run = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, `{"input":${deep}}`);
    expect(run.status).toBe(400);
    expect(run.body).toEqual(shape('JSON_TOO_DEEP'));
    expect(run.body.error.message).toContain(String(MAX_JSON_DEPTH));
    const objects = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect((await node.api('POST', '/api/v1/tasks', objects)).body.error.code).toBe('JSON_TOO_DEEP');
    // Brackets inside strings do not count.
    const inString = await node.api('POST', `/api/v1/tasks/${task.body.id}/run`, {
      input: { text: '['.repeat(1000) },
    });
    expect(inString.status).toBe(202);
    expect((await node.api('GET', '/api/v1/tasks')).body.items).toHaveLength(1);
  });

  it("answers the framework's own errors in the documented shape, field null", async () => {
    const node = await startTestNode();
    const badEscape = await node.api('GET', '/api/v1/apps/%zz');
    expect(badEscape.status).toBe(400);
    expect(badEscape.body).toEqual(shape('BAD_REQUEST'));
    // A long path segment reaches its route (the router's default limit was 100 characters).
    const long = await node.api('GET', `/api/v1/apps/${'a'.repeat(150)}`);
    expect(long.status).toBe(404);
    expect(long.body).toEqual(shape('APP_NOT_FOUND'));
    const huge = await node.api('GET', `/api/v1/apps/${'a'.repeat(5000)}`);
    expect(huge.body).toEqual(shape('NOT_FOUND'));
    const missing = await node.api('GET', '/api/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(shape('NOT_FOUND'));
    const wrongMethod = await node.api('PATCH', '/api/v1/namespaces');
    expect(wrongMethod.body).toEqual(shape('NOT_FOUND'));
    const notJson = await node.api('POST', '/api/v1/namespaces', '{"name":', {});
    expect(notJson.body).toEqual(shape('INVALID_JSON'));
    const text = await node.api('POST', '/api/v1/namespaces', 'name=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body).toEqual(shape('UNSUPPORTED_MEDIA_TYPE'));
    const unauthenticated = await node.api('GET', '/api/v1/tasks', undefined, {
      authorization: 'Bearer wrong',
    });
    expect(unauthenticated.body).toEqual(shape('UNAUTHORIZED'));
  });

  it('answers framing errors in the documented shape', async () => {
    const node = await startTestNode();
    const badLength = await raw(
      node,
      `POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`,
    );
    expect(badLength).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(badLength)).toEqual(shape('BAD_REQUEST'));
    const garbage = await raw(node, 'NOT HTTP AT ALL\r\n\r\n');
    expect(bodyOf(garbage)).toEqual(shape('BAD_REQUEST'));
    const huge = await raw(node, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(huge)).toEqual(shape('HEADERS_TOO_LARGE'));
  });

  it('cuts off a client that is too slow to send its headers, with a 408 in the documented shape', async () => {
    const node = await startTestNode({ config: { headersTimeoutMs: 200, requestTimeoutMs: 400 } });
    // Headers started and never finished: the server answers and closes on its own.
    const answer = await raw(node, `GET /healthz HTTP/1.1\r\nHost: x\r\n`, false);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(answer)).toEqual(shape('REQUEST_TIMEOUT'));
  });

  it('authenticates executors before reading their body: 401 before 400', async () => {
    const node = await startTestNode();
    const appName = await createApp(node);
    const poll = await node.api('POST', '/api/v1/executor/poll', '{not json', {
      'xxl-job-appname': appName,
      'xxl-job-access-token': 'wrong-token-0123456789',
      authorization: '',
    });
    expect(poll.status).toBe(401);
    expect(poll.body).toEqual(shape('UNAUTHORIZED'));
    for (const token of [undefined, 'default_token', 'not-any-apps-token-123']) {
      const response = await fetch(`${node.url}/api/registry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'xxl-job-access-token': token } : {}) },
        body: '{not json',
      });
      const envelope = (await response.json()) as { code: number; msg: string };
      expect(envelope.code).toBe(500);
      expect(envelope.msg).toMatch(/access token is wrong/);
    }
    expect(ADMIN_TOKEN).toBeTruthy();
  });

  it('sends security headers with the console', async () => {
    const node = await startTestNode();
    const response = await fetch(`${node.url}/tasks`);
    await response.text();
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });
});
