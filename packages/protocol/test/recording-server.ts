/**
 * A real HTTP server on 127.0.0.1 that records every request and answers what the test says.
 * It stands for the network boundary only: tests of the real Kairos API live with the server.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent on the request line. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  /** A string is sent verbatim; anything else as JSON. `undefined` sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Replaces how the server answers from now on. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startRecordingServer(
  responder: Responder = () => ({ body: {} }),
): Promise<RecordingServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => current(recorded))
        .then(
          (reply) => {
            const status = reply.status ?? 200;
            if (reply.body === undefined) {
              res.writeHead(status, reply.headers).end();
            } else if (typeof reply.body === 'string') {
              res.writeHead(status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body);
            } else {
              res
                .writeHead(status, { 'content-type': 'application/json', ...reply.headers })
                .end(JSON.stringify(reply.body));
            }
          },
          (err: unknown) => {
            res.writeHead(599, { 'content-type': 'text/plain' }).end(`responder threw: ${String(err)}`);
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A loopback port that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
