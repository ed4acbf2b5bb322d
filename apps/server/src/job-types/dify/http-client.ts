/**
 * The HTTP calls to Dify, on node:http(s) with keep-alive agents rather than fetch: a burst of
 * hundreds of runs firing at once pays fetch's per-call setup (about 0.27 ms a call, measured
 * on this project's bench machine) before the first request leaves, which node:http does not.
 * The response keeps the little of fetch's shape the client uses.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { GUARD_OPTION } from '../../outbound/guarded-transport.js';
import { OutboundPolicy } from '../../outbound/outbound-policy.js';
import type { DestinationGuard } from '../../outbound/outbound-policy.js';
import { noLatencyTuning } from '../../runtime/latency-tuning.js';
import type { BackgroundShare, LatencyTuning, OutboundConnections } from '../../runtime/latency-tuning.js';

/**
 * How a Dify job type's calls travel: its keep-alive connections (opened ahead of scheduled runs
 * when the node's latency tuning warms them, `connections.expect`) and the share of the event
 * loop its event streams are read and parsed in (sse.ts).
 */
export interface DifyTransport {
  connections: OutboundConnections;
  share: BackgroundShare;
}

/** The transport of one Dify job type under `latency` (default: none of the latency layers). */
export function difyTransport(latency: LatencyTuning = noLatencyTuning): DifyTransport {
  return {
    connections: latency.connections({
      // A stream waiting for its read turn must stop reading its socket, or the reads it waits
      // for happen anyway: then the socket reads no further ahead than one chunk.
      readAheadBytes: latency.share.pacesReads ? 1 : undefined,
      // Runs name their namespace's guard; this one (the default policy) checks any other call.
      guard: new OutboundPolicy().server,
    }),
    share: latency.share,
  };
}

/**
 * A run's URL (`<base>/workflows/run`) is the same for every run of a task: its parse (about
 * 15 µs) is kept, in a small map emptied when full. URLs carry no secret (the key is a header).
 */
const TARGETS_MAX = 1000;
const targets = new Map<string, { protocol: 'http:' | 'https:'; options: RequestOptions }>();

function targetOf(url: string): { protocol: 'http:' | 'https:'; options: RequestOptions } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { protocol: parsed.protocol as 'http:' | 'https:', options: urlToHttpOptions(parsed) };
    if (targets.size >= TARGETS_MAX) targets.clear();
    targets.set(url, target);
  }
  return target;
}

export interface DifyResponse {
  status: number;
  ok: boolean;
  header(name: string): string | null;
  /** The body as a stream of chunks; destroy() it to drop the connection. */
  body: IncomingMessage;
  text(): Promise<string>;
  /** Drops the rest of the body. */
  cancel(): void;
}

export function request(
  url: string,
  options: {
    method: string;
    headers: Record<string, string>;
    body?: string | undefined;
    signal?: AbortSignal | undefined;
    /** Called once the request is written to the connection. */
    onWritten?: (() => void) | undefined;
    /** Where a new connection may go (outbound/); absent: the default policy. */
    guard?: DestinationGuard | undefined;
    /** The keep-alive agents to send it with. */
    agents: OutboundConnections['agents'];
  },
): Promise<DifyResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const target = targetOf(url);
    const transport = target.protocol === 'https:' ? https : http;
    const headers = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = transport.request(
      {
        ...target.options,
        method: options.method,
        headers,
        agent: options.agents[target.protocol],
        ...(options.guard ? { [GUARD_OPTION]: options.guard } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
          body: res,
          text: async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of res) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          cancel: () => res.destroy(),
        });
      },
    );
    req.on('error', reject);
    if (signal) {
      // Rather than node:http's `signal` option, which costs ~20 µs more a request (measured: it
      // also watches the request with stream.finished), a burst's runs paying it all at once.
      const onAbort = (): void => void req.destroy(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    if (options.onWritten) req.once('finish', options.onWritten);
    req.end(options.body);
  });
}

/** The error an aborted call fails with, as fetch and node:http name it. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
  });
}
