/**
 * The built-in `http` job type: each run sends one HTTP request and succeeds when the answer has
 * an expected status. The response body is read up to a byte limit and then the connection is
 * dropped, so an endless or huge answer cannot exhaust the server's memory.
 */
import { STATUS_CODES } from 'node:http';
import { TextDecoder } from 'node:util';
import { interceptors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { SecretRef } from '@kairos/protocol';
import { z } from 'zod';
import { GuardedDispatchers } from '../outbound/guarded-transport.js';
import { serverGuards } from '../outbound/namespace-guards.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { BlockedPortError, blockedPort } from '../outbound/blocked-ports.js';
import { OutboundPolicy, findDestinationRefusal } from '../outbound/outbound-policy.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { maskHttpSecrets, openHttpHeaders, scrubber, sealHttpSecrets } from './http-secrets.js';
import type { NamedSecretResolver } from './http-secrets.js';
import { JobFailure } from './job-type.js';
import type { JobContext, JobLogger, JobOutcome, JobType } from './job-type.js';

const KIB = 1024;
/** How much of a response body is kept when the task does not say. */
export const HTTP_DEFAULT_MAX_RESPONSE_BYTES = 64 * KIB;
/** The most a task may ask to keep: outputs are stored with the run. */
export const HTTP_MAX_RESPONSE_BYTES_LIMIT = 1024 * KIB;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Headers every request carries unless the task sets them. */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = { 'user-agent': 'kairos', accept: '*/*' };
/** Redirects followed before a run fails (as fetch does). */
const MAX_REDIRECTS = 20;

/**
 * Headers that the HTTP client replaces (host, content-length) or refuses at request time (the
 * rest). Refusing them in the config turns a failure on every
 * run into one clear error when the task is saved.
 */
const REFUSED_HEADERS: ReadonlyMap<string, string> = new Map([
  ['host', 'is taken from the URL'],
  ['content-length', 'is computed from the body'],
  ['transfer-encoding', 'is chosen by the HTTP client'],
  ['keep-alive', 'is managed by the HTTP client'],
  ['upgrade', 'is not supported'],
  ['expect', 'is not supported'],
]);

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name (letters, digits, "-")')
  .superRefine((name, ctx) => {
    const why = REFUSED_HEADERS.get(name.toLowerCase());
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: `header ${name} ${why}; remove it` });
  });
const headerValue = z.union([z.string().regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL'), SecretRef], {
  error: 'must be a string without CR, LF or NUL, or {"$secret": "<name>"}',
});

const httpUrl = z
  .string()
  .max(8192, 'must be at most 8192 characters')
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://example.com/hook' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol.slice(0, -1)}` });
    }
  });

const statusRange = 'must be an HTTP status from 100 to 599';
const status = z.number().int(statusRange).min(100, statusRange).max(599, statusRange);

export const HttpConfig = z
  .strictObject({
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }).default('GET'),
    url: httpUrl,
    /** Secret values (Authorization, Cookie, X-Api-Key, secretHeaders) are stored sealed, shown masked. */
    headers: z.record(headerName, headerValue).optional(),
    /** More header names whose values are secrets (besides authorization, proxy-authorization, cookie, x-api-key). */
    secretHeaders: z.array(headerName).max(50).optional(),
    /** A string is sent as is; any other JSON value is sent as JSON. */
    body: z.json().optional(),
    /** Default: any 2xx. */
    expectStatus: z
      .union([status, z.array(status).min(1)], {
        error: 'must be an HTTP status (100-599) or a non-empty list of them',
      })
      .optional(),
    maxResponseBytes: z
      .number()
      .int('must be a whole number of bytes')
      .min(0, 'must not be negative')
      .max(HTTP_MAX_RESPONSE_BYTES_LIMIT, `must be at most ${HTTP_MAX_RESPONSE_BYTES_LIMIT} (1 MiB)`)
      .default(HTTP_DEFAULT_MAX_RESPONSE_BYTES),
  })
  .superRefine((config, ctx) => {
    // fetch throws "Request with GET/HEAD method cannot have body" on every run otherwise.
    if (config.body !== undefined && (config.method === 'GET' || config.method === 'HEAD')) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `is not allowed with ${config.method}; use POST, PUT or PATCH`,
      });
    }
  });
export type HttpConfig = z.output<typeof HttpConfig>;

export interface HttpOutput {
  status: number;
  /** Lower-case names; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON and was read whole; text otherwise. */
  body: unknown;
  bodyTruncated: boolean;
  /** From sending the request to the end of the body read. */
  durationMs: number;
}

/**
 * The `http` type whose requests go where `guards` allow: every connection (each redirect hop's
 * too) is checked by the guard of the task's namespace at connect time.
 */
export function createHttpJobType(
  guards: GuardSource,
  secrets: { box?: SecretBox | undefined; named?: NamedSecretResolver | undefined } = {},
): JobType<HttpConfig> {
  const dispatchers = new GuardedDispatchers();
  // Each guard's dispatcher, following redirects (every hop connects through the guard).
  const redirecting = new WeakMap<Dispatcher, Dispatcher>();
  const dispatcherFor = (namespaceId: number): Dispatcher => {
    const guarded = dispatchers.for(guards.guardFor(namespaceId));
    let dispatcher = redirecting.get(guarded);
    if (dispatcher === undefined) {
      // Past MAX_REDIRECTS the last redirect is the answer (a failure naming its status).
      dispatcher = guarded.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
      redirecting.set(guarded, dispatcher);
    }
    return dispatcher;
  };
  const { box, named } = secrets;
  return {
    name: 'http',
    configSchema: HttpConfig,
    destinations: (config) => [{ field: 'config.url', url: config.url }],
    ...(box
      ? {
          prepareConfig: (config: HttpConfig, previous: HttpConfig | undefined) =>
            sealHttpSecrets(config, previous, box),
          presentConfig: (stored: HttpConfig) => maskHttpSecrets(stored),
        }
      : {}),
    run: async (context) => {
      let opened: Awaited<ReturnType<typeof openHttpHeaders>>;
      try {
        opened = await openHttpHeaders(context.config.headers, context.namespaceId, box, named);
      } catch (error) {
        throw new JobFailure({ type: 'config', message: (error as Error).message }, { retryable: false });
      }
      return runHttp(context, opened, dispatcherFor(context.namespaceId));
    },
  };
}

/** With the server's default policy only (no namespace rules): tests and tools. */
export const httpJobType: JobType<HttpConfig> = createHttpJobType(serverGuards(new OutboundPolicy()));

async function runHttp(
  { config, input, signal, log: writeLog, effect, runId }: JobContext<HttpConfig>,
  opened: { headers: Record<string, string>; secrets: string[] },
  dispatcher: Dispatcher,
): Promise<JobOutcome> {
  // Nothing the run writes shows a secret it sent, whatever echoes it (an error, a server).
  const scrub = scrubber(opened.secrets);
  const log: JobLogger = (stream, text) => writeLog(stream, scrub(text));
  const headers: Record<string, string> = { ...opened.headers };
  // The run's id, unique per execution attempt: a receiver can recognise a request it has seen
  // (an idempotency key), and the chaos test counts executions per run with it.
  if (!hasHeader(headers, 'kairos-run-id')) headers['kairos-run-id'] = String(runId);
  // What fetch sent by default and some servers require (a 403 without a user-agent). No
  // accept-encoding: answers come as they are stored, uncompressed.
  for (const [name, value] of Object.entries(DEFAULT_HEADERS)) {
    if (!hasHeader(headers, name)) headers[name] = value;
  }
  const body = requestBody(config, input, headers);
  const target = `${config.method} ${loggableUrl(config.url)}`;
  log('system', `${target}${body === undefined ? '' : ` (${Buffer.byteLength(body)} bytes)`}`);
  const badPort = blockedPort(config.url);
  if (badPort !== undefined) throw badPortFailure(target, badPort);

  const started = performance.now();
  let response: Dispatcher.ResponseData;
  let read: BodyRead;
  try {
    // undici's request API rather than its fetch: the same client, about a fifth of the CPU a
    // request (no WHATWG streams and objects). It writes the request at once (or as soon as a
    // connection is open): the first effect.
    const responded = request(config.url, {
      method: config.method,
      headers,
      body,
      signal,
      dispatcher,
    });
    effect();
    response = await responded;
    read = await readCapped(
      response.body,
      config.maxResponseBytes,
      headerOf(response.headers, 'content-type'),
    );
  } catch (error) {
    // The engine records timeout or cancel from signal.reason; this is not a network failure.
    if (signal.aborted) throw signal.reason;
    const failure = networkFailure(error, config.url, target, log);
    throw new JobFailure(
      { ...failure.error, message: scrub(failure.error.message) },
      { retryable: failure.retryable },
    );
  }
  const durationMs = Math.round(performance.now() - started);

  const status = response.statusCode;
  const statusText = STATUS_CODES[status] ?? '';
  // A server that echoes a request (httpbin, a misconfigured proxy) must not put a secret into
  // the stored output either.
  const text = scrub(read.text);
  const output: HttpOutput = {
    status,
    headers: Object.fromEntries(
      Object.entries(response.headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, scrub(Array.isArray(value) ? value.join(', ') : value)]],
      ),
    ),
    body: read.truncated ? text : parseBody(text, headerOf(response.headers, 'content-type')),
    bodyTruncated: read.truncated,
    durationMs,
  };
  log(
    'system',
    `${status} ${statusText} in ${durationMs} ms, ${read.bytes} bytes` +
      (read.truncated ? ` (truncated at maxResponseBytes ${config.maxResponseBytes})` : ''),
  );

  if (!isExpected(status, config.expectStatus)) {
    throw new JobFailure(
      {
        type: 'http',
        status,
        message: `${target} answered ${status} ${statusText}; expected ${describeExpected(config.expectStatus)}`,
      },
      { retryable: isRetryableStatus(status), output },
    );
  }
  return { output };
}

/** The body to send, setting content-type for JSON unless the task set its own. */
function requestBody(
  config: HttpConfig,
  input: unknown,
  headers: Record<string, string>,
): string | undefined {
  let json: unknown;
  if (config.body !== undefined) {
    if (typeof config.body === 'string') return config.body;
    json = config.body;
  } else if (input !== null && input !== undefined && config.method !== 'GET' && config.method !== 'HEAD') {
    json = input;
  } else {
    return undefined;
  }
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(json);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** A response header (undici gives lower-case names; a repeated one as a list). */
function headerOf(headers: Dispatcher.ResponseData['headers'], name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

interface BodyRead {
  text: string;
  bytes: number;
  truncated: boolean;
}

/**
 * Reads at most `limit` bytes, then destroys the stream, which closes the connection: an endless
 * body costs `limit` bytes of memory, not all of it. The request's signal also aborts this read.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  contentType: string,
): Promise<BodyRead> {
  const decoder = decoderFor(contentType);
  let text = '';
  let bytes = 0;
  for await (const chunk of body) {
    const value = chunk as Buffer;
    const room = limit - bytes;
    if (value.byteLength > room) {
      // Not flushing the decoder drops a character cut in half at the limit instead of
      // ending the text with a replacement character.
      text += decoder.decode(value.subarray(0, room), { stream: true });
      body.destroy();
      return { text, bytes: limit, truncated: true };
    }
    text += decoder.decode(value, { stream: true });
    bytes += value.byteLength;
  }
  return { text: text + decoder.decode(), bytes, truncated: false };
}

function decoderFor(contentType: string): TextDecoder {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType)?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset);
    } catch {
      // An unknown charset label: UTF-8 gives readable text for the ASCII part at least.
    }
  }
  return new TextDecoder();
}

function parseBody(text: string, contentType: string): unknown {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  if (!isJson || text.trim() === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Mislabelled: keep what was said rather than fail a run that got its status.
  }
}

function isExpected(status: number, expected: number | number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

function describeExpected(expected: number | number[] | undefined): string {
  if (expected === undefined) return '2xx';
  return Array.isArray(expected) ? expected.join(' or ') : String(expected);
}

/**
 * A 4xx says the request itself is wrong and a retry will get the same answer, except Request
 * Timeout (408), Too Early (425) and Too Many Requests (429), which invite a retry. 5xx and any
 * other unexpected status may pass.
 */
export function isRetryableStatus(status: number): boolean {
  if (status >= 400 && status < 500) return status === 408 || status === 425 || status === 429;
  return true;
}

/** A failure's code, on the error or on one of its causes (a redirect hop's, a connector's). */
function networkFailure(error: unknown, url: string, target: string, log: JobLogger): JobFailure {
  let root: unknown = error;
  let code: string | undefined;
  for (let depth = 0; depth < 5 && root instanceof Error; depth++) {
    const own = (root as { code?: unknown }).code;
    if (typeof own === 'string') code = own;
    if (!(root.cause instanceof Error)) break;
    root = root.cause;
  }
  const reason = root instanceof Error ? root.message : String(root);
  log('system', `${target} failed: ${reason}`);
  const refused = findDestinationRefusal(error);
  if (refused) {
    return new JobFailure(
      { type: 'destination_refused', policy: 'outbound', message: `${target}: ${refused.message}` },
      { retryable: false },
    );
  }
  if (code === 'BAD_PORT') return badPortFailure(target, portOf(error) ?? Number(new URL(url).port));
  return new JobFailure({ type: 'network', code: code ?? 'UNKNOWN', message: `${target}: ${reason}` });
}

/** The port of a BlockedPortError on the error or one of its causes. */
function portOf(error: unknown): number | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedPortError) return e.port;
  }
  return undefined;
}

/** A port the fetch standard blocks (it belongs to another protocol): no retry can help. */
function badPortFailure(target: string, port: number): JobFailure {
  return new JobFailure(
    {
      type: 'network',
      code: 'BAD_PORT',
      message: `${target}: port ${port} is blocked by the fetch standard (it belongs to another protocol); serve the endpoint on another port`,
    },
    { retryable: false },
  );
}

/**
 * The URL without credentials or query: run logs are shown to everyone who can see the task,
 * and both commonly carry secrets (user:password@, ?api_key=).
 */
function loggableUrl(text: string): string {
  const url = new URL(text);
  return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
}
