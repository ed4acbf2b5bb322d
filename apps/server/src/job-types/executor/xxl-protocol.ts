/**
 * The XXL-JOB executor protocol, admin side (reference xxl-job.md §1.5, §1.8): every call is a
 * POST with a JSON body to `address + /beat|/idleBeat|/run|/kill|/log` (3.5 executors: `/trigger`
 * and the XXL-JOB-APPNAME header), answered with HTTP 200 and an envelope
 * `{code, msg, content|data}`; only code 200 means success. Executors answer with whatever
 * content type (Netty says text/html), so the body is parsed as JSON whatever it is labelled.
 */
import http from 'node:http';
import https from 'node:https';
import { GUARD_OPTION, guardAgent } from '../../outbound/guarded-transport.js';
import { OutboundPolicy, findDestinationRefusal } from '../../outbound/outbound-policy.js';
import type { DestinationGuard } from '../../outbound/outbound-policy.js';
import type { XxlLogParam, XxlLogResult, XxlTriggerParam } from '@kairos/protocol';
import type { ExecutorProtocol } from '../../store/executor-records.js';

/** XXL-JOB's default for connect + read (2.5+ `xxl.job.timeout`). */
export const DEFAULT_EXECUTOR_CALL_TIMEOUT_MS = 3000;

/** An executor's answer, with `data ?? content` folded into `content`. */
export interface XxlReply {
  code: number;
  msg: string | null;
  content: unknown;
}

export interface XxlTarget {
  address: string;
  protocol: ExecutorProtocol;
}

export interface XxlCallOptions {
  /** The app's access token; sent as XXL-JOB-ACCESS-TOKEN when known. */
  accessToken: string | undefined;
  appName: string;
  timeoutMs: number;
  /** Where the call may connect (outbound/, the app's namespace); absent: the default policy. */
  guard?: DestinationGuard | undefined;
}

/**
 * `address` without trailing slashes, with `http://` when it has no scheme (the npm executor
 * without `baseUrl` registers `ip:port/job`): the executor matches the URI exactly, so a double
 * slash would break its routing (§1.1).
 */
export function normaliseExecutorAddress(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** A failed call: network error, timeout, non-200 status or an unreadable body. */
export class ExecutorCallError extends Error {
  constructor(
    message: string,
    /** `refused`: the outbound destination policy refused the address. */
    readonly kind: 'network' | 'timeout' | 'status' | 'garbage' | 'refused',
  ) {
    super(message);
    this.name = 'ExecutorCallError';
  }
}

/**
 * Keep-alive agents with a bounded number of sockets per executor: under load, calls queue on a
 * few warm connections instead of opening (and closing) one per trigger, which is what fetch did
 * and what made push dispatch collapse at a few hundred runs per second.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'fifo' as const };
const defaultGuard = new OutboundPolicy().server;
const httpAgent = guardAgent(new http.Agent(AGENT_OPTIONS), defaultGuard);
const httpsAgent = guardAgent(new https.Agent(AGENT_OPTIONS), defaultGuard);

export async function callExecutor(
  target: XxlTarget,
  path: string,
  body: unknown,
  options: XxlCallOptions,
  signal?: AbortSignal,
): Promise<XxlReply> {
  const url = `${normaliseExecutorAddress(target.address)}${path}`;
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(payload),
  };
  if (options.accessToken) headers['XXL-JOB-ACCESS-TOKEN'] = options.accessToken;
  if (target.protocol === 'xxl35') headers['XXL-JOB-APPNAME'] = options.appName;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ExecutorCallError(`${url} is not a valid executor address`, 'network');
  }
  const secure = parsed.protocol === 'https:';
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    let timedOut = false;
    // Redirects are not followed (http.request never does): a redirect is not the protocol, and
    // following it would let a registered address send Kairos's token elsewhere.
    const request = (secure ? https : http).request(
      parsed,
      {
        method: 'POST',
        headers,
        agent: secure ? httpsAgent : httpAgent,
        ...(options.guard ? { [GUARD_OPTION]: options.guard } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error) => reject(error));
      },
    );
    // XXL-JOB's timeout is connect + read: it runs from when the call gets a connection, not
    // while it waits for one of the executor's busy connections (under a burst, calls queue on
    // the agent; counting the queue made every queued call time out together and push collapse).
    let timer: NodeJS.Timeout | undefined;
    request.once('socket', () => {
      timer = setTimeout(() => {
        timedOut = true;
        request.destroy();
      }, options.timeoutMs);
    });
    const onAbort = () => request.destroy(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const refused = findDestinationRefusal(error);
      if (refused) {
        reject(new ExecutorCallError(`${url}: ${refused.message}`, 'refused'));
      } else if (timedOut) {
        reject(new ExecutorCallError(`${url} did not answer within ${options.timeoutMs} ms`, 'timeout'));
      } else {
        reject(new ExecutorCallError(`${url} is not reachable (${error.code ?? error.message})`, 'network'));
      }
    });
    request.end(payload);
  });
  if (status !== 200) {
    throw new ExecutorCallError(`${url} answered HTTP ${status}; the protocol always answers 200`, 'status');
  }
  return parseReply(text, url);
}

/** Reads an envelope; anything else is garbage with the first characters quoted. */
export function parseReply(text: string, url: string): XxlReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExecutorCallError(`${url} answered something that is not JSON: ${quote(text)}`, 'garbage');
  }
  if (typeof value !== 'object' || value === null || typeof (value as { code?: unknown }).code !== 'number') {
    throw new ExecutorCallError(`${url} answered JSON without a numeric "code": ${quote(text)}`, 'garbage');
  }
  const envelope = value as { code: number; msg?: unknown; content?: unknown; data?: unknown };
  return {
    code: envelope.code,
    msg: typeof envelope.msg === 'string' ? envelope.msg : null,
    content: envelope.data ?? envelope.content ?? null,
  };
}

const quote = (text: string): string => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

/** Sends a trigger: `/run`, or `/trigger` to a 3.5 executor (and to one that does not know /run). */
export async function sendTrigger(
  target: XxlTarget,
  trigger: XxlTriggerParam,
  options: XxlCallOptions,
): Promise<XxlReply> {
  const path = target.protocol === 'xxl35' ? '/trigger' : '/run';
  const reply = await callExecutor(target, path, trigger, options);
  if (path === '/run' && reply.code !== 200 && /uri-mapping\(\/run\) not found/.test(reply.msg ?? '')) {
    return callExecutor({ ...target, protocol: 'xxl35' }, '/trigger', trigger, options);
  }
  return reply;
}

/** Reads lines >= fromLineNum (1-based) of an execution's log. Sends both date field spellings. */
export async function readExecutorLog(
  target: XxlTarget,
  logId: number,
  logDateTime: number,
  fromLineNum: number,
  options: XxlCallOptions,
): Promise<XxlLogResult> {
  const param: XxlLogParam = { logDateTim: logDateTime, logDateTime, logId, fromLineNum };
  const reply = await callExecutor(target, '/log', param, options);
  if (reply.code !== 200) throw new ExecutorCallError(reply.msg ?? `code ${reply.code}`, 'status');
  const c = (reply.content ?? {}) as Partial<XxlLogResult>;
  return {
    fromLineNum: typeof c.fromLineNum === 'number' ? c.fromLineNum : fromLineNum,
    toLineNum: typeof c.toLineNum === 'number' ? c.toLineNum : fromLineNum - 1,
    logContent: typeof c.logContent === 'string' ? c.logContent : '',
    isEnd: c.isEnd === true,
  };
}
