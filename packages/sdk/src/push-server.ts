/**
 * Push mode: an HTTP server speaking the XXL-JOB executor protocol (`/beat`, `/idleBeat`, `/run`
 * and 3.5's `/trigger`, `/kill`, `/log`; POST, JSON, always HTTP 200 with `{code, msg, content,
 * data}`), so Kairos and stock XXL-JOB admins alike can drive it. The admin's token must match
 * ours; results are batched to `/api/callback` and retried until the admin takes them.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { AdminClient } from './admin-client.js';
import type { XxlTriggerParam } from '@kairos/protocol';
import type { JobRunner, Reply } from './job-runner.js';

const MAX_BODY = 5 * 1024 * 1024; // the Java executor's limit

export interface PushServerOptions {
  runner: JobRunner;
  admin: AdminClient;
  appName: string;
  accessToken: string;
  host: string;
  port: number;
}

export class PushServer {
  private server: Server | undefined;

  constructor(private readonly options: PushServerOptions) {}

  async listen(): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    server.keepAliveTimeout = 90_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      let reply: Reply & { content?: unknown };
      try {
        reply =
          size > MAX_BODY
            ? { code: 500, msg: 'request body too large' }
            : this.dispatch(req, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        reply = { code: 500, msg: (error as Error).message };
      }
      const content = reply.content ?? null;
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify({ code: reply.code, msg: reply.msg, content, data: content }));
    });
  }

  private dispatch(req: IncomingMessage, text: string): Reply & { content?: unknown } {
    if (req.method !== 'POST') return { code: 500, msg: 'invalid request, HttpMethod not support.' };
    if (!sameToken(header(req, 'xxl-job-access-token'), this.options.accessToken)) {
      return { code: 500, msg: 'The access token is wrong.' };
    }
    const appName = header(req, 'xxl-job-appname');
    if (appName !== undefined && appName !== this.options.appName) {
      return { code: 500, msg: 'invalid request, appname invalid.' };
    }
    let body: Record<string, unknown> = {};
    if (text.trim() !== '' && text.trim() !== '""') {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    }
    const { runner } = this.options;
    switch ((req.url ?? '').split('?')[0]) {
      case '/beat':
        return { code: 200, msg: null };
      case '/idleBeat':
        return runner.idle(Number(body.jobId))
          ? { code: 200, msg: null }
          : { code: 500, msg: 'job thread is running or has trigger queue.' };
      case '/run':
      case '/trigger':
        return runner.accept(body as unknown as XxlTriggerParam);
      case '/kill':
        return runner.kill(Number(body.jobId));
      case '/log': {
        const content = runner.readLog(Number(body.logId), Number(body.fromLineNum ?? 1));
        return { code: 200, msg: null, content };
      }
      default:
        return { code: 500, msg: `invalid request, uri-mapping(${req.url}) not found.` };
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameToken(presented: string | undefined, expected: string): boolean {
  const a = Buffer.from(presented ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
