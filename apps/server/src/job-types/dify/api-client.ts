/**
 * A small client for the Dify Service API calls a scheduled run needs: /info, /parameters, run,
 * stop, run detail and re-attach. Every non-2xx answer and every answer that is not Dify's JSON
 * becomes a DifyApiError that says what came back and whether trying again can help.
 */
import { TextDecoder } from 'node:util';
import { findDestinationRefusal } from '../../outbound/outbound-policy.js';
import type { DestinationGuard } from '../../outbound/outbound-policy.js';
import { request } from './http-client.js';
import type { DifyResponse, DifyTransport } from './http-client.js';

/** Error bodies are read up to this size. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** `refused`: the outbound destination policy refused the address (never retried). */
export type DifyErrorKind = 'http' | 'network' | 'garbage' | 'refused';

export class DifyApiError extends Error {
  constructor(
    message: string,
    readonly kind: DifyErrorKind,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryable: boolean,
    /** A 429's Retry-After, in seconds (delta-seconds or an HTTP date), when it sent one. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'DifyApiError';
  }
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface DifyAppInfo {
  name?: string;
  mode?: string;
}

export class DifyApi {
  readonly host: string;
  /** The base's path (`/v1`), for messages. */
  readonly basePath: string;

  /** `base` is the API root ending in /v1 (see apiBase). */
  constructor(
    readonly base: string,
    private readonly apiKey: string,
    /** The connections the calls go through, and the share their streams are read in. */
    readonly transport: DifyTransport,
    /** Where the calls may connect (outbound/); absent: the default policy. */
    private readonly guard?: DestinationGuard | undefined,
  ) {
    const url = new URL(base);
    this.host = url.host;
    this.basePath = url.pathname;
  }

  /** The same client whose calls connect only where `guard` allows. */
  withGuard(guard: DestinationGuard): DifyApi {
    return guard === this.guard ? this : new DifyApi(this.base, this.apiKey, this.transport, guard);
  }

  /** Sends a request; throws DifyApiError on a network failure (never on a status). */
  async send(
    method: 'GET' | 'POST',
    path: string,
    options: {
      body?: unknown;
      signal?: AbortSignal | undefined;
      traceId?: string | undefined;
      onWritten?: (() => void) | undefined;
    } = {},
  ): Promise<DifyResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // Dify ≥ 1.6 keeps it as the run's external trace id: Kairos runs and Dify traces line up.
    if (options.traceId !== undefined) headers['x-trace-id'] = options.traceId;
    try {
      return await request(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        onWritten: options.onWritten,
        guard: this.guard,
        agents: this.transport.connections.agents,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw networkError(error, `${method} ${this.host}${this.basePath}${path}`);
    }
  }

  /** A JSON answer; anything else (a status, HTML, garbage) throws DifyApiError. */
  async json<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    const response = await this.send(method, path, options);
    if (!response.ok) throw await errorFrom(response, `${method} ${path}`);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw garbage(response, text, `${method} ${path}`);
    }
  }

  info(signal?: AbortSignal): Promise<DifyAppInfo> {
    return this.json('GET', '/info', { signal });
  }

  parameters(signal?: AbortSignal): Promise<{ user_input_form?: unknown }> {
    return this.json('GET', '/parameters', { signal });
  }

  /** Always answers success in Dify (even for unknown tasks): confirm through the stream or detail. */
  async stop(taskId: string, user: string): Promise<void> {
    await this.json('POST', `/workflows/tasks/${encodeURIComponent(taskId)}/stop`, {
      body: { user },
      signal: AbortSignal.timeout(5000),
    });
  }

  runDetail(runId: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.json('GET', `/workflows/run/${encodeURIComponent(runId)}`, { signal });
  }
}

/** Turns a non-2xx answer into a DifyApiError carrying Dify's `code` and `message`. */
export async function errorFrom(response: DifyResponse, what: string): Promise<DifyApiError> {
  const text = await readCapped(response);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return garbage(response, text, what);
  }
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' && typeof message !== 'string') return garbage(response, text, what);
  const status = response.status;
  const codeText = typeof code === 'string' ? code : 'unknown';
  return new DifyApiError(
    `Dify answered ${status} ${codeText}: ${typeof message === 'string' ? message : '(no message)'}`,
    'http',
    status,
    codeText,
    retryableStatus(status, codeText),
    status === 429 || status === 503 ? retryAfterSeconds(response.header('retry-after')) : null,
  );
}

/**
 * 429 `too_many_requests` (the app's concurrency ceiling) and 5xx are worth another try;
 * 429 `rate_limit_error` (a quota used up) and other 4xx are not.
 */
export function retryableStatus(status: number, code: string | null): boolean {
  if (status === 429) return code !== 'rate_limit_error';
  return status >= 500;
}

function garbage(response: DifyResponse, text: string, what: string): DifyApiError {
  const type = (response.header('content-type') ?? 'no content type').split(';')[0];
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return new DifyApiError(
    `${what} answered ${response.status} with ${type}, not Dify's JSON (${excerpt ? `"${excerpt}"` : 'empty body'}): ` +
      'check that the endpoint is the API server shown on the app\'s "API Access" page, e.g. https://api.dify.ai/v1',
    'garbage',
    response.status,
    null,
    response.status >= 500,
  );
}

function networkError(error: unknown, what: string): DifyApiError {
  const refusal = findDestinationRefusal(error);
  if (refusal) return new DifyApiError(`${what}: ${refusal.message}`, 'refused', null, null, false);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return new DifyApiError(`${what} failed: ${detail}`, 'network', null, null, true);
}

async function readCapped(response: DifyResponse): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of response.body) {
      const value = chunk as Buffer;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= ERROR_BODY_LIMIT) {
        response.cancel();
        return text;
      }
    }
  } catch {
    return text;
  }
  return text + decoder.decode();
}
