/**
 * The runs sub-client of the API client (client.ts): list and page through runs, read one with
 * its logs, events, track and live stream, cancel, and trigger many in one request.
 */
import type { List, Run, RunBatchRequest, RunBatchResult, RunLogEntry } from './schemas.js';
import type { RunEvent, RunTrack } from './run-events.js';
import type { RunComparison } from './run-compare.js';
import { CLIENT_ERROR_CODES, KairosApiError } from './client-error.js';
import { segment, type createTransport } from './client-http.js';
import { readServerSentEvents, type ServerSentEvent } from './client-sse.js';
import type { ListOptions, Ref } from './client-types.js';

export interface RunListOptions extends ListOptions {
  taskId?: number | undefined;
  appId?: number | undefined;
  /** One status or several (sent comma-joined): `['failed', 'timed_out']`. */
  status?: string | readonly string[] | undefined;
  triggerType?: string | readonly string[] | undefined;
  /** Runs scheduled at or after this instant. */
  from?: string | Date | undefined;
  /** Runs scheduled before this instant. */
  to?: string | Date | undefined;
}

export interface RunLogsOptions {
  /** Only entries with a greater `seq`; 0 (the default) reads from the start. */
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

export interface RunsClient {
  /** @example `const { items } = await client.runs.list({ taskId: 42, status: ['failed', 'timed_out'] });` */
  list(options?: RunListOptions): Promise<List<Run>>;
  /**
   * Every run that matches, page after page (following `nextCursor`).
   * @example `for await (const run of client.runs.iterate({ status: 'failed', from: '2026-03-01T00:00:00Z' })) console.log(run.id);`
   */
  iterate(options?: RunListOptions): AsyncGenerator<Run, void, undefined>;
  /** @example `const run = await client.runs.get(1001);` */
  get(id: Ref): Promise<Run>;
  /** @example `const { items } = await client.runs.logs(1001, { afterSeq: lastSeq });` */
  logs(id: Ref, options?: RunLogsOptions): Promise<List<RunLogEntry>>;
  /** @example `const run = await client.runs.cancel(1001);` */
  cancel(id: Ref): Promise<Run>;
  /**
   * A run's recorded events (for Dify: every workflow and node event, verbatim), in order.
   * @example `const { items } = await client.runs.events(1001, { afterSeq: 0, limit: 500 });`
   */
  events(id: Ref, options?: RunLogsOptions): Promise<List<RunEvent>>;
  /**
   * A run's node track (Dify: nodes in order, iteration and loop rounds, branches taken).
   * @example `const { nodes } = await client.runs.track(1001);`
   */
  track(id: Ref): Promise<RunTrack>;
  /**
   * The run's live stream: its stored events, then live ones, then `end` (data: the final
   * status). Ends when the run ends or `signal` aborts.
   * @example `for await (const e of client.runs.stream(1001)) if (e.event === 'end') break;`
   */
  stream(
    id: Ref,
    options?: { signal?: AbortSignal | undefined },
  ): AsyncGenerator<ServerSentEvent, void, undefined>;
  /**
   * Triggers up to 1,000 runs in one request (one transaction); per-item results, in order.
   * @example `const { items } = await client.runs.triggerBatch({ items: [{ taskId: 42, input: { day: 1 }, idempotencyKey: 'd1' }] });`
   */
  triggerBatch(request: RunBatchRequest): Promise<RunBatchResult>;
  /**
   * Runs a past run again with its input, as a new run (replayOf); `pin` runs the target version
   * it ran (Dify: its workflow_id).
   * @example `const replay = await client.runs.replay(1001, { pin: true });`
   */
  replay(id: Ref, options?: { pin?: boolean | undefined }): Promise<Run>;
  /**
   * Two runs side by side: inputs, outputs, status, tokens, cost, node by node.
   * @example `const { same, nodes } = await client.runs.compare(1001, 1017);`
   */
  compare(left: Ref, right: Ref): Promise<RunComparison>;
}

export function runsClient(http: ReturnType<typeof createTransport>, v1: string): RunsClient {
  const list = (o: RunListOptions = {}): Promise<List<Run>> =>
    http.request('GET', `${v1}/runs`, { query: { ...o } });
  return {
    list,
    iterate: (o = {}) => iteratePages(`${v1}/runs`, list, o),
    get: (id) => http.request('GET', `${v1}/runs/${segment(id)}`),
    logs: (id, o = {}) => http.request('GET', `${v1}/runs/${segment(id)}/logs`, { query: { ...o } }),
    cancel: (id) => http.request('POST', `${v1}/runs/${segment(id)}/cancel`),
    events: (id, o = {}) => http.request('GET', `${v1}/runs/${segment(id)}/events`, { query: { ...o } }),
    track: (id) => http.request('GET', `${v1}/runs/${segment(id)}/track`),
    triggerBatch: (request) => http.request('POST', `${v1}/runs/batch`, { body: request }),
    replay: (id, o = {}) =>
      http.request('POST', `${v1}/runs/${segment(id)}/replay`, { body: o.pin ? { pin: true } : {} }),
    compare: (left, right) => http.request('GET', `${v1}/runs/compare`, { query: { left, right } }),
    stream: async function* (id, o = {}) {
      const response = await http.open(`${v1}/runs/${segment(id)}/stream`, o);
      if (response.body) yield* readServerSentEvents(response.body);
    },
  };
}

async function* iteratePages<T, O extends { cursor?: string | undefined }>(
  path: string,
  list: (options: O) => Promise<List<T>>,
  options: O,
): AsyncGenerator<T, void, undefined> {
  let cursor = options.cursor;
  for (;;) {
    const page = await list({ ...options, cursor });
    yield* page.items;
    if (!page.nextCursor) return;
    // A server that hands back the cursor it was given would loop us forever: refuse it loudly.
    if (page.nextCursor === cursor) {
      throw new KairosApiError({
        status: 200,
        code: CLIENT_ERROR_CODES.INVALID_RESPONSE,
        message: `the server answered the same nextCursor (${cursor}) twice; stopping to avoid an endless loop`,
        method: 'GET',
        url: path,
      });
    }
    cursor = page.nextCursor;
  }
}
