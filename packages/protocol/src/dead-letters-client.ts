/** The dead-letters sub-client of the API client (client.ts). */
import type { DeadLetter, DeadLetterActionResult } from './dead-letters.js';
import type { createTransport } from './client-http.js';
import type { List } from './schemas.js';
import type { ListOptions } from './client-types.js';

export interface DeadLetterListOptions extends ListOptions {
  taskId?: number | undefined;
  /** `failed`, `timed_out`, `lost`, one or several (sent comma-joined). */
  status?: string | readonly string[] | undefined;
  /** `open` (default), `redriven`, `discarded` or `all`. */
  state?: 'open' | 'redriven' | 'discarded' | 'all' | undefined;
  /** Finished at or after this instant. */
  since?: string | Date | undefined;
  /** Finished before this instant. */
  until?: string | Date | undefined;
}

export interface DeadLettersClient {
  /** @example `const { items } = await client.deadLetters.list({ taskId: 42 });` */
  list(options?: DeadLetterListOptions): Promise<List<DeadLetter>>;
  /**
   * Runs dead letters again with their input; a result per run, in order.
   * @example `const { items } = await client.deadLetters.redrive([1001, 1002]);`
   */
  redrive(runIds: number[]): Promise<DeadLetterActionResult>;
  /** @example `await client.deadLetters.discard([1003]);` */
  discard(runIds: number[]): Promise<DeadLetterActionResult>;
}

export function deadLettersClient(http: ReturnType<typeof createTransport>, v1: string): DeadLettersClient {
  return {
    list: (o = {}) => http.request('GET', `${v1}/dead-letters`, { query: { ...o } }),
    redrive: (runIds) => http.request('POST', `${v1}/dead-letters/redrive`, { body: { runIds } }),
    discard: (runIds) => http.request('POST', `${v1}/dead-letters/discard`, { body: { runIds } }),
  };
}
