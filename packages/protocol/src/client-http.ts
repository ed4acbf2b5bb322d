/**
 * The client's one HTTP path: URL building, auth, JSON in and out, and the mapping of every
 * failure to a KairosApiError. The resource sub-clients (client.ts) only name paths and shapes.
 */
import { ApiError } from './schemas.js';
import { CLIENT_ERROR_CODES, KairosApiError, describeNetworkFailure } from './client-error.js';

export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query | undefined;
  /** Sent as JSON. `undefined` sends no body. */
  body?: unknown;
  headers?: Record<string, string | undefined> | undefined;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface Transport {
  /** Answers the parsed JSON body; `undefined` for an empty body (204). */
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** Answers the response of a successful GET unread (a stream); a failure throws as `request` does. */
  open(path: string, options?: { signal?: AbortSignal | undefined }): Promise<Response>;
}

/**
 * Encodes a query. `undefined`/`null` are left out; arrays are comma-joined (the API's list
 * filters, e.g. `status=failed,timed_out`); dates become ISO instants.
 */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else if (value instanceof Date) {
      params.set(key, value.toISOString());
    } else {
      params.set(key, String(value));
    }
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}

/** Encodes one path segment: an app name may hold "." and a user may pass anything. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));

export function createTransport(options: {
  baseUrl: string;
  token?: string | undefined;
  /** A console session's CSRF token, sent in X-CSRF-Token with every change. */
  csrfToken?: string | undefined;
  fetch?: FetchLike | undefined;
}): Transport {
  // Keep a path prefix (a server behind a proxy at https://host/kairos), drop trailing slashes.
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));

  return {
    async open(path: string, o: { signal?: AbortSignal | undefined } = {}): Promise<Response> {
      const url = `${base}${path}`;
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      let response: Response;
      try {
        response = await doFetch(url, { method: 'GET', headers, signal: o.signal ?? null });
      } catch (err) {
        throw new KairosApiError({
          status: 0,
          code: CLIENT_ERROR_CODES.NETWORK,
          message: `cannot reach GET ${url}: ${describeNetworkFailure(err)}`,
          method: 'GET',
          url,
          cause: err,
        });
      }
      if (!response.ok) throw errorFromResponse('GET', url, response, await response.text());
      return response;
    },
    async request<T>(method: string, path: string, req: RequestOptions = {}): Promise<T> {
      const url = `${base}${path}${encodeQuery(req.query)}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      if (options.csrfToken && method !== 'GET') headers['x-csrf-token'] = options.csrfToken;
      for (const [name, value] of Object.entries(req.headers ?? {})) {
        if (value !== undefined) headers[name.toLowerCase()] = value;
      }
      const init: RequestInit = { method, headers };
      if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(req.body);
      }

      let response: Response;
      let text: string;
      try {
        response = await doFetch(url, init);
        text = await response.text();
      } catch (err) {
        throw new KairosApiError({
          status: 0,
          code: CLIENT_ERROR_CODES.NETWORK,
          message: `cannot reach ${method} ${url}: ${describeNetworkFailure(err)}`,
          method,
          url,
          cause: err,
        });
      }

      if (!response.ok) throw errorFromResponse(method, url, response, text);
      if (text.trim() === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new KairosApiError({
          status: response.status,
          code: CLIENT_ERROR_CODES.INVALID_RESPONSE,
          message: `${method} ${url} answered ${response.status} with a body that is not JSON: ${excerpt(text)}`,
          method,
          url,
          cause: err,
        });
      }
    },
  };
}

function errorFromResponse(method: string, url: string, response: Response, text: string): KairosApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const apiError = ApiError.safeParse(parsed);
  if (apiError.success) {
    const { code, message, field } = apiError.data.error;
    return new KairosApiError({
      status: response.status,
      code,
      message,
      field: field ?? undefined,
      method,
      url,
    });
  }
  // A proxy's HTML page, a plain-text 502, or a JSON body in some other shape.
  const reason = response.statusText ? ` ${response.statusText}` : '';
  const body = text.trim() ? `: ${excerpt(text)}` : '';
  return new KairosApiError({
    status: response.status,
    code: `HTTP_${response.status}`,
    message: `${method} ${url} answered ${response.status}${reason}${body}`,
    method,
    url,
  });
}

const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
};
