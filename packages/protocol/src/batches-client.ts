/**
 * The batches sub-client of the API client (client.ts): start a batch of a task over a dataset,
 * follow its progress, pause, resume, cancel, retry its failed items, read and download results,
 * replay a finished batch (against another workflow version) and compare two batches item by item.
 */
import type {
  Batch,
  BatchComparison,
  BatchCreate,
  BatchItemsPage,
  BatchReplay,
  BatchRetried,
  BatchStarted,
} from './batches.js';
import type { List } from './schemas.js';
import { encodeQuery, segment, type createTransport } from './client-http.js';
import type { ListOptions, Ref } from './client-types.js';

export interface BatchListOptions extends ListOptions {
  taskId?: number | undefined;
  status?: string | readonly string[] | undefined;
}

export interface BatchItemsOptions {
  status?: string | readonly string[] | undefined;
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

export interface BatchesClient {
  /**
   * Starts a batch: one run of the task per item, `concurrency` at a time.
   * @example `const batch = await client.batches.start({ taskId: 42, concurrency: 20, source: { type: 'upload', format: 'csv', content: await readFile('rows.csv', 'utf8') } });`
   */
  start(input: BatchCreate): Promise<BatchStarted>;
  /** @example `const { items } = await client.batches.list({ status: 'running' });` */
  list(options?: BatchListOptions): Promise<List<Batch>>;
  /** @example `const { progress } = await client.batches.get(7);` */
  get(id: Ref): Promise<Batch>;
  /** @example `await client.batches.pause(7);` */
  pause(id: Ref): Promise<Batch>;
  /** @example `await client.batches.resume(7);` */
  resume(id: Ref): Promise<Batch>;
  /** Pending items are cancelled, running runs are cancelled. @example `await client.batches.cancel(7);` */
  cancel(id: Ref): Promise<Batch>;
  /** Failed items run again (a new attempt each). @example `const { retried } = await client.batches.retryFailed(7);` */
  retryFailed(id: Ref): Promise<BatchRetried>;
  /** @example `const { items } = await client.batches.items(7, { status: 'failed' });` */
  items(id: Ref, options?: BatchItemsOptions): Promise<BatchItemsPage>;
  /**
   * The results as a download (JSONL or CSV), one line per item in order.
   * @example `const res = await client.batches.results(7, { format: 'csv' }); await writeFile('out.csv', await res.text());`
   */
  results(
    id: Ref,
    options?: { format?: 'jsonl' | 'csv'; status?: string | readonly string[] },
  ): Promise<Response>;
  /**
   * Runs a finished batch's items again (same inputs) as a new batch, pinned to a workflow version.
   * @example `const replay = await client.batches.replay(7, { workflowId: 'b5e0c1f2-…' });`
   */
  replay(id: Ref, input?: BatchReplay): Promise<Batch>;
  /**
   * Two batches over the same items compared item by item: status, output, tokens and cost.
   * @example `const { totals } = await client.batches.compare(7, 9); console.log(totals.regressed);`
   */
  compare(id: Ref, otherId: Ref, options?: { afterSeq?: number; limit?: number }): Promise<BatchComparison>;
}

export function batchesClient(http: ReturnType<typeof createTransport>, v1: string): BatchesClient {
  const one = (id: Ref) => `${v1}/batches/${segment(id)}`;
  return {
    start: (input) => http.request('POST', `${v1}/batches`, { body: input }),
    list: (o = {}) => http.request('GET', `${v1}/batches`, { query: { ...o } }),
    get: (id) => http.request('GET', one(id)),
    pause: (id) => http.request('POST', `${one(id)}/pause`),
    resume: (id) => http.request('POST', `${one(id)}/resume`),
    cancel: (id) => http.request('POST', `${one(id)}/cancel`),
    retryFailed: (id) => http.request('POST', `${one(id)}/retry-failed`),
    items: (id, o = {}) => http.request('GET', `${one(id)}/items`, { query: { ...o } }),
    results: (id, o = {}) => http.open(`${one(id)}/results${encodeQuery({ ...o })}`),
    replay: (id, input = {}) => http.request('POST', `${one(id)}/replay`, { body: input }),
    compare: (id, otherId, o = {}) =>
      http.request('GET', `${one(id)}/compare/${segment(otherId)}`, { query: { ...o } }),
  };
}
