/**
 * The Store's part for batch runs over a dataset: a batch and its
 * items. Items are rows of their own, not runs: the feeder (batches/batch-feeder.ts) turns the
 * next pending items into runs as slots free up. Every write that changes items also changes the
 * batch's counters, in the same transaction, so progress is one row's read.
 */
import type { RunError } from '@kairos/protocol';
import type { NamespaceFilter } from './namespace-scope.js';
import type { Page, PageRequest, RunRecord } from './store.js';

/** `preparing`: its items are being written; it is not fed and not listed until `running`. */
export type BatchStatus = 'preparing' | 'running' | 'paused' | 'cancelled' | 'completed';
export type BatchItemStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'invalid' | 'cancelled';

/** Where a batch's items came from, as stored (without the uploaded text itself). */
export type BatchSource =
  | { type: 'upload'; format: 'jsonl' | 'csv'; filename?: string | undefined }
  | { type: 'url'; format: 'jsonl' | 'csv'; url: string }
  | { type: 'run'; runId: number; path: string }
  /** A replay of a batch's items, its runs pinned to `workflowId` (null: the task's current version). */
  | { type: 'batch'; batchId: number; workflowId: string | null };

export interface BatchRecord {
  id: number;
  namespaceId: number;
  taskId: number;
  name: string | null;
  status: BatchStatus;
  concurrency: number;
  pool: string | null;
  /** Merged under every item's input (the item's fields win). */
  input: Record<string, unknown> | null;
  source: BatchSource;
  total: number;
  invalid: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  tokens: number;
  cost: number;
  currency: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export type NewBatch = Pick<
  BatchRecord,
  'namespaceId' | 'taskId' | 'name' | 'concurrency' | 'pool' | 'input' | 'source' | 'total' | 'createdBy'
> & { createdAt: number };

/** An item as parsed: an input, or the error that made it invalid (it never runs). */
export interface NewBatchItem {
  seq: number;
  input: Record<string, unknown> | null;
  error: RunError | null;
}

export interface BatchItemRecord {
  batchId: number;
  seq: number;
  status: BatchItemStatus;
  input: Record<string, unknown> | null;
  attempt: number;
  runId: number | null;
  output: unknown;
  error: RunError | null;
  tokens: number | null;
  cost: number | null;
  finishedAt: number | null;
}

/** How one running item ended (its run's end, see batches/item-outcome.ts). */
export interface BatchItemEnd {
  seq: number;
  /** The run it ended with (the item is ended only while it still points at this run). */
  runId: number;
  status: 'succeeded' | 'failed' | 'cancelled';
  output: unknown;
  error: RunError | null;
  tokens: number | null;
  cost: number | null;
  currency: string | null;
  finishedAt: number;
}

/** A running item and its run as stored now (undefined: the run is gone, pruned or deleted). */
export interface RunningItem {
  seq: number;
  attempt: number;
  runId: number;
  run: RunRecord | undefined;
}

export interface BatchFilter {
  namespaceId?: NamespaceFilter | undefined;
  taskId?: number | undefined;
  statuses?: BatchStatus[] | undefined;
}

export interface BatchStore {
  /** Inserts a batch in status `preparing`; its items follow with appendBatchItems. */
  createBatch(batch: NewBatch): Promise<BatchRecord>;
  /** Inserts items (one transaction per call); an item with an error is `invalid` and counted so. */
  appendBatchItems(batchId: number, items: NewBatchItem[]): Promise<void>;
  /**
   * Copies a batch's items into another (a replay): same seqs and inputs, pending, or invalid with
   * their error; the target's invalid count follows. One transaction.
   */
  copyBatchItems(fromBatchId: number, toBatchId: number): Promise<void>;
  /** Deletes a batch and its items (a start that failed half-way; a preparing one found at start). */
  deleteBatch(id: number): Promise<boolean>;
  /** Batches left `preparing` since before `before` (their start did not finish). */
  listStalePreparing(before: number): Promise<number[]>;
  getBatch(id: number): Promise<BatchRecord | undefined>;
  /** Newest first; `preparing` batches are left out. */
  listBatches(filter: BatchFilter, page: PageRequest): Promise<Page<BatchRecord>>;
  /** Batches with work for the feeder: running ones, and cancelled ones with items still running. */
  listBatchesToFeed(): Promise<BatchRecord[]>;
  /**
   * Takes or renews the lease to feed each batch of `batchIds` that no other node holds (or whose
   * lease expired by `now`), until `now + ttlMs`; returns the ids this node now feeds. One UPDATE:
   * two nodes claiming one batch both test its holder on the row as the other left it, so one wins.
   */
  claimBatchFeeds(nodeId: string, batchIds: number[], now: number, ttlMs: number): Promise<number[]>;
  /** The node stops feeding: its leases are given up (another node takes its batches at once). */
  releaseBatchFeeds(nodeId: string): Promise<void>;
  /**
   * Changes a batch's status if it is one of `from` (compare-and-set); `cancelled` also cancels
   * its pending items and `completed`/`cancelled` set its finish. Returns the batch after, or
   * undefined when it was not in one of `from`.
   */
  setBatchStatus(
    id: number,
    to: BatchStatus,
    from: readonly BatchStatus[],
    now: number,
  ): Promise<BatchRecord | undefined>;
  countItems(batchId: number, status: BatchItemStatus): Promise<number>;
  /** The first `limit` pending items, in order. */
  nextPendingItems(batchId: number, limit: number): Promise<BatchItemRecord[]>;
  /** Running items with their current run (one read, joined). */
  runningItems(batchId: number): Promise<RunningItem[]>;
  /**
   * Pending items to running with their run, in one transaction; an item not pending any more is
   * left alone. Returns the seqs changed.
   */
  markItemsRunning(batchId: number, starts: { seq: number; runId: number }[]): Promise<number[]>;
  /** Points running items at their retry run (the task's retry policy tries again). */
  followRetries(batchId: number, moves: { seq: number; fromRunId: number; runId: number }[]): Promise<void>;
  /**
   * Ends running items and adds them to the batch's counters, in one transaction; an item that
   * is not running with that run any more is left alone. Returns how many ended.
   */
  finishItems(batchId: number, ends: BatchItemEnd[], now: number): Promise<number>;
  /** Failed items back to pending (next attempt) and the batch to `running`, in one transaction. */
  retryFailedItems(batchId: number, now: number): Promise<number>;
  /** Items in seq order after `afterSeq`, optionally of some statuses. */
  listBatchItems(
    batchId: number,
    options: { statuses?: BatchItemStatus[] | undefined; afterSeq: number; limit: number },
  ): Promise<BatchItemRecord[]>;
  /** Runs of a task by idempotency key (a failed item's retry run, `retry:<root>:<attempt>`). */
  runsByKeys(taskId: number, keys: string[]): Promise<RunRecord[]>;
}
