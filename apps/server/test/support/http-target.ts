/**
 * A real HTTP server on 127.0.0.1 for http tasks to call; records every request with its arrival
 * time. Closed after each test.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface ReceivedRequest {
  method: string;
  url: string;
  body: string;
  at: number;
}

export interface HttpTarget {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

const open: HttpTarget[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

export async function startHttpTarget(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_req, res) => res.end('ok'),
): Promise<HttpTarget> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, at });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const target: HttpTarget = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(target);
  return target;
}
