/**
 * The Dify HTTP client's abort: against a real HTTP server on 127.0.0.1, an abort before the
 * answer fails the call with an AbortError, an abort while the answer streams drops the
 * connection (the server sees it close), and a signal aborted already sends nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { difyTransport, request } from '../../src/job-types/dify/http-client.js';

const { agents } = difyTransport().connections;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server that answers with `answer` and counts requests and closed connections. */
async function startServer(answer: (res: http.ServerResponse) => void) {
  const seen = { requests: 0, closed: 0 };
  const server = http.createServer((req, res) => {
    seen.requests++;
    req.resume();
    req.socket.once('close', () => seen.closed++);
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/workflows/run`;
  return { url, seen };
}

const post = (url: string, signal: AbortSignal) =>
  request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal,
    agents,
  });

describe('Dify HTTP client abort', () => {
  it('fails a call aborted before the answer with an AbortError', async () => {
    const { url, seen } = await startServer(() => undefined); // never answers
    const controller = new AbortController();
    const call = post(url, controller.signal);
    await expect.poll(() => seen.requests).toBe(1);
    controller.abort(new Error('timeout'));
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => seen.closed).toBe(1);
  });

  it('drops the connection when aborted while the answer streams', async () => {
    const { url, seen } = await startServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"event":"ping"}\n\n'); // and then silence
    });
    const controller = new AbortController();
    const response = await post(url, controller.signal);
    expect(response.status).toBe(200);
    const bodyClosed = new Promise((resolve) => response.body.once('close', resolve));
    controller.abort();
    await bodyClosed;
    await expect.poll(() => seen.closed).toBe(1);
  });

  it('sends nothing when the signal is aborted already', async () => {
    const { url, seen } = await startServer((res) => res.end('{}'));
    const controller = new AbortController();
    controller.abort();
    await expect(post(url, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    // A call after it reaches the server: the first one did not.
    const answered = await post(url, new AbortController().signal);
    expect(answered.status).toBe(200);
    expect(seen.requests).toBe(1);
  });
});
