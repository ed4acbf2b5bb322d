/**
 * The Store's part for dead letters and output checks. A dead letter is a run
 * whose retries are exhausted: a final `failed`, `timed_out` or `lost` with no retry run after
 * it. The list is a query over runs (the settlement writes nothing for it); what was done with
 * one (redriven, discarded) is a row of dead_letter_actions, kept.
 */
import type { OutputChecks } from '@kairos/protocol';
import type { NamespaceFilter } from './namespace-scope.js';
import type { RunRecord } from './records.js';
import type { Page, PageRequest } from './store.js';

export type DeadLetterStatus = 'failed' | 'timed_out' | 'lost';

export interface DeadLetterFilter {
  namespaceId?: NamespaceFilter | undefined;
  taskId?: number | undefined;
  statuses?: DeadLetterStatus[] | undefined;
  /** `open`: not handled yet; `all`: handled or not. */
  state: 'open' | 'redriven' | 'discarded' | 'all';
  /** finishedAt >= since */
  since?: number | undefined;
  /** finishedAt < until */
  until?: number | undefined;
}

export interface DeadLetterAction {
  runId: number;
  namespaceId: number;
  action: 'redriven' | 'discarded';
  /** The redrive's run. */
  newRunId: number | null;
  actor: string | null;
  at: number;
}

export interface DeadLetterRecord {
  run: RunRecord;
  taskName: string;
  /** null: still open. */
  action: DeadLetterAction | null;
}

export interface DeadLetterStore {
  /** Dead letters, newest run first. */
  listDeadLetters(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterRecord>>;
  /** Those of these runs that are dead letters (open or handled), by run id. */
  getDeadLetters(runIds: number[]): Promise<Map<number, DeadLetterRecord>>;
  /**
   * Records what was done with dead letters; a run handled already is left as it was. Returns
   * the run ids this call recorded.
   */
  recordDeadLetterActions(actions: DeadLetterAction[]): Promise<Set<number>>;
  /** Stores a running run's output checks (written before its end is settled). */
  setRunChecks(runId: number, checks: OutputChecks): Promise<void>;
}
