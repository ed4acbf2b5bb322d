/**
 * Real receivers on 127.0.0.1 for alert tests: an HTTP server that records requests with their
 * headers and answers what the test says, and an SMTP server (smtp-server) that keeps the mails.
 * Closed after each test.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach } from 'vitest';

export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves when `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function waiter<T>(items: T[]) {
  const waiting: { count: number; resolve: () => void }[] = [];
  return {
    arrived() {
      for (const w of waiting.splice(0)) {
        if (items.length >= w.count) w.resolve();
        else waiting.push(w);
      }
    },
    waitFor(count: number, timeoutMs = 10_000): Promise<T[]> {
      if (items.length >= count) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${items.length} of ${count} arrived in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(items);
          },
        });
      });
    },
  };
}

/** `answer` gives the status and body for the n-th request (0-based), or 'hang' to never answer it. */
export async function startReceiver(
  answer: (n: number, request: Received) => { status: number; body?: string } | 'hang' = () => ({
    status: 200,
  }),
): Promise<Receiver> {
  const received: Received[] = [];
  const w = waiter(received);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const reply = answer(received.length, request);
      received.push(request);
      if (reply !== 'hang') {
        res.statusCode = reply.status;
        res.end(reply.body ?? '{}');
      }
      w.arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, received, waitFor: w.waitFor };
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

export interface MailServer {
  port: number;
  mails: Mail[];
  waitFor(count: number, timeoutMs?: number): Promise<Mail[]>;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no auth) that keeps every message. */
export async function startMailServer(): Promise<MailServer> {
  const mails: Mail[] = [];
  const w = waiter(mails);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        w.arrived();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, mails, waitFor: w.waitFor };
}
