/**
 * The one error the API client throws. Whatever went wrong (the server refused the request, the
 * server answered something that is not the API's error shape, or the server could not be
 * reached), callers catch one class and branch on `code`.
 */

/** `code` values the client itself produces; every other code comes from the server. */
export const CLIENT_ERROR_CODES = {
  /** The request never got an answer: connection refused, DNS failure, TLS failure, reset. */
  NETWORK: 'NETWORK',
  /** A 2xx answer whose body is not the JSON the API promises. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
} as const;

export interface KairosApiErrorInit {
  /** HTTP status; 0 when no answer arrived (`NETWORK`). */
  status: number;
  /** A stable code: the server's (`TASK_NOT_FOUND`), `HTTP_<status>`, `NETWORK` or `INVALID_RESPONSE`. */
  code: string;
  message: string;
  /** The dotted path of the request field at fault, when the server names one. */
  field?: string | undefined;
  method: string;
  url: string;
  cause?: unknown;
}

/**
 * A failed API call.
 *
 * @example
 * ```ts
 * try {
 *   await client.tasks.get(42);
 * } catch (err) {
 *   if (err instanceof KairosApiError && err.code === 'TASK_NOT_FOUND') return null;
 *   throw err;
 * }
 * ```
 */
export class KairosApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: KairosApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KairosApiError';
    this.status = init.status;
    this.code = init.code;
    this.field = init.field;
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * Describes why `fetch` threw. Node's fetch throws `TypeError('fetch failed')` and hides the
 * useful part (`connect ECONNREFUSED 127.0.0.1:8080`) in `cause`, sometimes nested one level
 * deeper (AggregateError for happy-eyeballs attempts), so walk the chain.
 */
export function describeNetworkFailure(thrown: unknown): string {
  const parts: string[] = [];
  let current: unknown = thrown;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
      continue;
    }
    if (current instanceof Error) {
      const code = (current as Error & { code?: unknown }).code;
      const text = current.message || (typeof code === 'string' ? code : current.name);
      if (text && text !== 'fetch failed' && !parts.includes(text)) parts.push(text);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.length > 0 ? parts.join(': ') : 'fetch failed';
}
