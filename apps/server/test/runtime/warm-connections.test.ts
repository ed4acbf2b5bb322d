import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WarmConnections } from '../../src/runtime/warm-connections.js';
import { eventually } from '../support/eventually.js';
import { tempDir } from '../support/temp-dir.js';

/** A real server on 127.0.0.1 that counts the connections it accepts, and when each came. */
async function countingServer() {
  const connectedAt: number[] = [];
  const server = http.createServer((req, res) => res.end(`ok ${req.url}`));
  server.on('connection', () => connectedAt.push(Date.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/run`),
    connections: () => connectedAt.length,
    connectedAt: () => [...connectedAt],
    open: () => new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function get(warm: WarmConnections, url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: warm.agents['http:'] }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes a response's connection read while its reader, having taken one chunk, waited 150 ms. */
async function bytesReadWhileWaiting(get: () => http.ClientRequest): Promise<number> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
    get().on('response', resolve).on('error', reject),
  );
  const chunks = res[Symbol.asyncIterator]();
  await chunks.next();
  const before = res.socket.bytesRead;
  await new Promise((r) => setTimeout(r, 150));
  const read = res.socket.bytesRead - before;
  res.destroy();
  return read;
}

/** Streams 1 KiB every millisecond, as a busy event stream does. */
function streamEvents(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const timer = setInterval(() => res.write(`data: ${'x'.repeat(1024)}\n\n`), 1);
  res.on('close', () => clearInterval(timer));
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('WarmConnections', () => {
  it('opens a connection per expected request ahead of time, and the requests use them', async () => {
    const server = await countingServer();
    const warm = new WarmConnections({ openAheadMs: 1000 });
    cleanup.push(
      () => warm.close(),
      () => server.close(),
    );

    for (let i = 0; i < 3; i++) warm.expect(server.url, 300);
    await eventually(() => expect(warm.parkedCount).toBe(3));
    await eventually(() => expect(server.connections()).toBe(3));

    const answers = await Promise.all([get(warm, server.url), get(warm, server.url), get(warm, server.url)]);
    expect(answers).toEqual(['ok /run', 'ok /run', 'ok /run']);
    expect(server.connections()).toBe(3);
    expect(warm.parkedCount).toBe(0);
  });

  it('waits until shortly before the instant, and ignores requests due too soon to gain', async () => {
    const server = await countingServer();
    const warm = new WarmConnections({ openAheadMs: 100 });
    cleanup.push(
      () => warm.close(),
      () => server.close(),
    );

    const asked = Date.now();
    warm.expect(server.url, 5); // due at once: nothing to gain
    warm.expect(server.url, 600);
    await eventually(() => expect(server.connections()).toBe(1));
    expect(warm.parkedCount).toBe(1);
    // The one connection is the later request's, opened about 100 ms before its instant: never
    // sooner (a busy machine only makes it later), so the one due at once opened none.
    expect(server.connectedAt()[0]! - asked).toBeGreaterThanOrEqual(450);
  });

  it('closes a parked connection nobody used, and drops one the server closed', async () => {
    const server = await countingServer();
    const warm = new WarmConnections({ openAheadMs: 1000, unusedAfterMs: 100 });
    cleanup.push(
      () => warm.close(),
      () => server.close(),
    );

    warm.expect(server.url, 50);
    await eventually(() => expect(warm.parkedCount).toBe(1));
    await eventually(() => expect(warm.parkedCount).toBe(0), 3000);
    await eventually(async () => expect(await server.open()).toBe(0));

    warm.expect(server.url, 500);
    await eventually(() => expect(warm.parkedCount).toBe(1));
    await server.close();
    await eventually(() => expect(warm.parkedCount).toBe(0));
  });

  it('connects as usual when nothing is parked, including to a server that is not there', async () => {
    const server = await countingServer();
    const warm = new WarmConnections();
    cleanup.push(
      () => warm.close(),
      () => server.close(),
    );
    expect(await get(warm, server.url)).toBe('ok /run');

    const gone = new URL('http://127.0.0.1:1/run');
    warm.expect(gone, 200); // opening it fails while parked: dropped, no crash
    await new Promise((r) => setTimeout(r, 100));
    expect(warm.parkedCount).toBe(0);
    await expect(get(warm, gone)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('with readAheadBytes, a connection whose reader waits stops reading (parked connections too)', async () => {
    const server = http.createServer(streamEvents);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`);
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const readWhileWaiting = (warm: WarmConnections): Promise<number> =>
      bytesReadWhileWaiting(() => http.get(url, { agent: warm.agents['http:'] }));

    const lean = new WarmConnections({ readAheadBytes: 1 });
    const usual = new WarmConnections();
    cleanup.push(
      () => lean.close(),
      () => usual.close(),
    );
    // ~150 KiB were written meanwhile: Node's default reads 16 KiB ahead (and as much again into
    // the response), one chunk's worth is all a lean connection takes.
    expect(await readWhileWaiting(usual)).toBeGreaterThan(16 * 1024);
    expect(await readWhileWaiting(lean)).toBeLessThan(8 * 1024);
    lean.expect(url, 100);
    await eventually(() => expect(lean.parkedCount).toBe(1));
    expect(await readWhileWaiting(lean)).toBeLessThan(8 * 1024);
    expect(lean.parkedCount).toBe(0);
  });

  it('with readAheadBytes, a TLS connection whose reader waits stops reading too', async () => {
    // A self-signed certificate for 127.0.0.1, made here (TLS sockets take another option).
    const dir = tempDir();
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const ca = readFileSync(cert);
    const server = https.createServer({ key: readFileSync(key), cert: ca }, streamEvents);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/stream`);
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const lean = new WarmConnections({ readAheadBytes: 1 });
    const usual = new WarmConnections();
    cleanup.push(
      () => lean.close(),
      () => usual.close(),
    );
    const get = (warm: WarmConnections) => () => https.get(url, { agent: warm.agents['https:'], ca });
    expect(await bytesReadWhileWaiting(get(usual))).toBeGreaterThan(16 * 1024);
    expect(await bytesReadWhileWaiting(get(lean))).toBeLessThan(8 * 1024);
  });
});
