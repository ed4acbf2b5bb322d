import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpJobType } from '../../src/job-types/http.js';
import type { HttpOutput } from '../../src/job-types/http.js';
import { parseJobConfig } from '../../src/job-types/job-config.js';
import { JobFailure } from '../../src/job-types/job-type.js';
import { makeRun } from './job-context.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real server on 127.0.0.1; `received` lists the requests it got, bodies read whole. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function run(config: Record<string, unknown>, options: { input?: unknown } = {}) {
  const test = makeRun(parseJobConfig(httpJobType, config), options);
  return { ...test, result: httpJobType.run(test.context) };
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(JobFailure);
  return error as JobFailure;
}

describe('http job type', () => {
  it('succeeds on 2xx and parses a JSON answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-trace': 'abc' });
      res.end(JSON.stringify({ ok: true, items: [1, 2] }));
    });
    const { result, logs } = run({ url: `${server.url}/hook?token=secret` });
    const output = (await result).output as HttpOutput;

    expect(output.status).toBe(200);
    expect(output.body).toEqual({ ok: true, items: [1, 2] });
    expect(output.bodyTruncated).toBe(false);
    expect(output.headers['x-trace']).toBe('abc');
    expect(output.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.received[0]).toMatchObject({ method: 'GET', url: '/hook?token=secret', body: '' });
    // One line for the request, one for the answer; the query (often a secret) is not logged.
    expect(logs.map((line) => line.stream)).toEqual(['system', 'system']);
    expect(logs[0]?.text).toBe(`GET ${server.url}/hook?…`);
    expect(logs[1]?.text).toMatch(/^200 OK in \d+ ms, 25 bytes$/);
    expect(JSON.stringify(logs)).not.toContain('secret');
  });

  it('keeps a text answer as text, and a mislabelled JSON answer too', async () => {
    const text = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('{"looks":"like json"}');
    });
    expect(((await run({ url: text.url }).result).output as HttpOutput).body).toBe('{"looks":"like json"}');

    const broken = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('not json');
    });
    expect(((await run({ url: broken.url }).result).output as HttpOutput).body).toBe('not json');
  });

  it('accepts the statuses listed in expectStatus, and only those', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(201);
      res.end();
    });
    const created = await run({ url: `${server.url}/created`, expectStatus: [201, 202] }).result;
    expect((created.output as HttpOutput).status).toBe(201);

    const failure = await failureOf(run({ url: `${server.url}/created`, expectStatus: 202 }).result);
    expect(failure.error).toMatchObject({ type: 'http', status: 201 });
    expect(failure.error.message).toContain('expected 202');
  });

  it('fails a 4xx without retry, and sends the answer along as output', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"no such hook"}');
    });
    const failure = await failureOf(run({ url: server.url, method: 'DELETE' }).result);

    expect(failure.retryable).toBe(false);
    expect(failure.error).toEqual({
      type: 'http',
      status: 404,
      message: `DELETE ${server.url}/ answered 404 Not Found; expected 2xx`,
    });
    expect((failure.output as HttpOutput).body).toEqual({ error: 'no such hook' });
  });

  it.each([408, 425, 429, 500, 503])('fails a %i as retryable', async (status) => {
    const server = await serve((_req, res) => {
      res.writeHead(status);
      res.end('try later');
    });
    const failure = await failureOf(run({ url: server.url }).result);
    expect(failure.retryable).toBe(true);
    expect(failure.error).toMatchObject({ type: 'http', status });
  });

  it('sends an object body as JSON and a string body as is', async () => {
    const server = await serve((_req, res) => res.end());
    await run({ url: server.url, method: 'POST', body: { name: 'nightly', n: 1 } }).result;
    await run({
      url: server.url,
      method: 'PUT',
      body: '<ping/>',
      headers: { 'Content-Type': 'application/xml', 'X-Api-Key': 'k' },
    }).result;

    expect(server.received[0]).toMatchObject({ method: 'POST', body: '{"name":"nightly","n":1}' });
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
    expect(server.received[1]).toMatchObject({ method: 'PUT', body: '<ping/>' });
    expect(server.received[1]?.headers).toMatchObject({
      'content-type': 'application/xml',
      'x-api-key': 'k',
    });
  });

  it("sends the run's input as the JSON body when no body is configured, except with GET", async () => {
    const server = await serve((_req, res) => res.end());
    await run({ url: server.url, method: 'PATCH' }, { input: { date: '2026-03-15' } }).result;
    await run({ url: server.url, method: 'POST', body: 'configured' }, { input: { ignored: true } }).result;
    await run({ url: server.url }, { input: { not: 'sent' } }).result;

    expect(server.received.map((r) => [r.method, r.body])).toEqual([
      ['PATCH', '{"date":"2026-03-15"}'],
      ['POST', 'configured'],
      ['GET', ''],
    ]);
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
  });

  it('keeps only maxResponseBytes of a large body and does not parse it', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(200 * 1024) });
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
    });
    const { result, logs } = run({ url: server.url });
    const output = (await result).output as HttpOutput;

    expect(output.bodyTruncated).toBe(true);
    expect(output.body).toBe(big.slice(0, 64 * 1024));
    expect(logs[1]?.text).toContain('truncated at maxResponseBytes 65536');
  });

  it('does not cut a UTF-8 character in half at the limit', async () => {
    const server = await serve((_req, res) => res.end('ééé')); // 2 bytes each
    const output = (await run({ url: server.url, maxResponseBytes: 5 }).result).output as HttpOutput;
    expect(output).toMatchObject({ body: 'éé', bodyTruncated: true });
  });

  it('stops reading an endless body and closes the connection', async () => {
    let serverSawClose!: () => void;
    const closed = new Promise<void>((resolve) => (serverSawClose = resolve));
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'y'.repeat(16 * 1024);
      let open = true;
      res.on('close', () => {
        open = false;
        serverSawClose();
      });
      const pump = (): void => {
        while (open && res.write(chunk));
        if (open) res.once('drain', pump);
      };
      pump();
    });
    const output = (await run({ url: server.url, maxResponseBytes: 1000 }).result).output as HttpOutput;

    expect(output.body).toBe('y'.repeat(1000));
    expect(output.bodyTruncated).toBe(true);
    await closed;
  });

  it('aborts a request the server never answers, and the server sees the socket close', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let socketClosed!: () => void;
    const closed = new Promise<void>((resolve) => (socketClosed = resolve));
    const server = await serve((req) => {
      req.socket.once('close', () => socketClosed());
      arrived();
    });
    const { result, controller } = run({ url: server.url });
    await requestArrived;

    const before = performance.now();
    controller.abort({ kind: 'timeout' });
    await expect(result).rejects.toMatchObject({ kind: 'timeout' });
    expect(performance.now() - before).toBeLessThan(500);
    await closed;
  });

  it('aborts while reading the body', async () => {
    let headersSent!: () => void;
    const started = new Promise<void>((resolve) => (headersSent = resolve));
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part, then silence', () => headersSent());
    });
    const { result, controller } = run({ url: server.url });
    await started;
    controller.abort({ kind: 'cancel' });
    await expect(result).rejects.toMatchObject({ kind: 'cancel' });
  });

  it('reports a refused connection as a retryable network failure', async () => {
    const server = await serve(() => undefined);
    const stopped = servers.pop();
    await new Promise((resolve) => stopped?.close(resolve));

    const { result, logs } = run({ url: server.url, method: 'POST', body: { a: 1 } });
    const failure = await failureOf(result);
    expect(failure.retryable).toBe(true);
    expect(failure.error).toMatchObject({ type: 'network', code: 'ECONNREFUSED' });
    expect(failure.error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/: connect ECONNREFUSED/);
    expect(logs.at(-1)?.text).toContain('ECONNREFUSED');
  });

  it('reports a connection dropped mid-body as a network failure', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('short', () => res.socket?.destroy());
    });
    const failure = await failureOf(run({ url: server.url }).result);
    expect(failure.error).toMatchObject({ type: 'network' });
    expect(failure.retryable).toBe(true);
  });

  it('refuses a port the fetch standard blocks, without retry', async () => {
    const failure = await failureOf(run({ url: 'http://127.0.0.1:6000/' }).result);
    expect(failure.retryable).toBe(false);
    expect(failure.error).toMatchObject({ type: 'network', code: 'BAD_PORT' });
    expect(failure.error.message).toContain('port 6000 is blocked');
  });

  it('follows redirects: a 307 keeps the method and body, a 302 after POST becomes a GET', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/keep') res.writeHead(307, { location: '/landed' }).end();
      else if (req.url === '/moved') res.writeHead(302, { location: '/landed' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"landed":true}');
    });
    const kept = await run({ url: `${server.url}/keep`, method: 'POST', body: { a: 1 } }).result;
    expect((kept.output as HttpOutput).body).toEqual({ landed: true });
    expect(server.received.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/keep', '{"a":1}'],
      ['POST', '/landed', '{"a":1}'],
    ]);

    server.received.length = 0;
    await run({ url: `${server.url}/moved`, method: 'POST', body: { a: 1 } }).result;
    expect(server.received.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/moved'],
      ['GET', '/landed'],
    ]);
  });

  it('refuses a redirect to a port the fetch standard blocks, without retry', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:6000/' }).end();
    });
    const failure = await failureOf(run({ url: server.url }).result);
    expect(failure.retryable).toBe(false);
    expect(failure.error).toMatchObject({ type: 'network', code: 'BAD_PORT' });
    expect(failure.error.message).toContain('port 6000 is blocked');
  });

  it('sends a user-agent and accept unless the task sets them, and asks for no compression', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    await run({ url: server.url }).result;
    await run({ url: server.url, headers: { 'User-Agent': 'reports/2', accept: 'application/json' } }).result;
    const [plain, own] = server.received.map((r) => r.headers);
    expect(plain).toMatchObject({ 'user-agent': 'kairos', accept: '*/*' });
    expect(plain?.['accept-encoding']).toBeUndefined();
    expect(own).toMatchObject({ 'user-agent': 'reports/2', accept: 'application/json' });
  });

  it('keeps a repeated response header joined, names in lower case', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('X-Seen', ['a', 'b']);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    const output = (await run({ url: server.url }).result).output as HttpOutput;
    expect(output.headers).toMatchObject({ 'x-seen': 'a, b', 'content-type': 'text/plain' });
  });

  it('sends HEAD and returns an empty body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end();
    });
    const output = (await run({ url: server.url, method: 'HEAD' }).result).output as HttpOutput;
    expect(output).toMatchObject({ status: 200, body: '', bodyTruncated: false });
    expect(server.received[0]?.method).toBe('HEAD');
  });
});
