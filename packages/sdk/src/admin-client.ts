/**
 * Calls from the executor to Kairos (or a stock XXL-JOB admin, in push mode): JSON POSTs with
 * the app's token in XXL-JOB-ACCESS-TOKEN and its name in XXL-JOB-APPNAME.
 */

export class KairosRequestError extends Error {
  constructor(
    message: string,
    /** true when the server refused the credentials: retrying cannot help. */
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'KairosRequestError';
  }
}

export interface AdminClientOptions {
  server: string;
  appName: string;
  accessToken: string;
  timeoutMs: number;
}

export class AdminClient {
  readonly base: string;

  constructor(private readonly options: AdminClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
  }

  /** POST and parse JSON; throws KairosRequestError on HTTP errors and unreadable answers. */
  async post<T>(
    path: string,
    body: unknown,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'XXL-JOB-ACCESS-TOKEN': this.options.accessToken,
          'XXL-JOB-APPNAME': this.options.appName,
        },
        body: JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new KairosRequestError(
        `${this.base}${path} is not reachable (${cause ?? (error as Error).message})`,
        false,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new KairosRequestError(
        `${this.base}${path} answered HTTP ${response.status} with a body that is not JSON`,
        false,
      );
    }
    if (!response.ok) {
      const message = (json as { error?: { message?: string } } | undefined)?.error?.message ?? text;
      throw new KairosRequestError(
        `${this.base}${path} answered HTTP ${response.status}: ${message}`,
        response.status === 401 || response.status === 403,
      );
    }
    return json as T;
  }

  /** An XXL-JOB admin call (`/api/registry`, `/api/callback`): HTTP 200 and `code` 200, or an error. */
  async xxl(path: string, body: unknown): Promise<void> {
    const reply = await this.post<{ code?: number; msg?: string | null }>(path, body);
    if (reply?.code !== 200) {
      const msg = reply?.msg ?? `code ${String(reply?.code)}`;
      throw new KairosRequestError(`${this.base}${path}: ${msg}`, /token|appname/i.test(msg));
    }
  }
}
