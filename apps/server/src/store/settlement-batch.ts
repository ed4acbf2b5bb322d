/**
 * The successors a batch of settlements leaves to its end (SettlementSuccessors.afterBatch): one
 * per key, in the order the keys first appear, each handed over with the last settlement applied
 * that names it (by its position in the batch). Both stores run them after the batch's own writes, in its transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import type { RunRecord, SettleResult, Settlement } from './store.js';
import type { WriteSteps } from './write-steps.js';

/**
 * The writes that follow a run's end besides its retry, decided by workflows/successors.ts: the
 * runs of the task's child tasks, a workflow node's end. Run inside the settlement's transaction
 * (write-steps.ts); returns the runs they inserted (leased to the settler's node).
 */
export interface SettlementSuccessors {
  steps(db: Kysely<Database>, now: number): WriteSteps<RunRecord[]>;
  /**
   * What follows once every settlement of the batch is written, run once per `key` in the same
   * transaction (settlement-batch.ts): a burst of one workflow run's node ends is decided once.
   * The runs it inserts are handed over with the last settlement of the batch naming the key.
   */
  afterBatch?: AfterBatchSuccessors | undefined;
  /**
   * The workflow run whose row the steps lock (a node's end), if any: a batch runs its
   * successors in this order, so that two batches lock the same workflow runs in the same order
   * (on PostgreSQL, not a deadlock between two nodes' settlements).
   */
  lockOrder?: number | undefined;
}

/** The settlements in the order their successors lock workflow runs (see lockOrder). */
export function inLockOrder<S extends { successors?: SettlementSuccessors | null | undefined }>(
  settlements: readonly S[],
): S[] {
  const order = (s: S) => s.successors?.lockOrder ?? 0;
  return [...settlements].sort((a, b) => order(a) - order(b));
}

export interface AfterBatchSuccessors {
  key: string;
  steps(db: Kysely<Database>, now: number): WriteSteps<RunRecord[]>;
}

export interface AfterBatch {
  /** The position in the batch of the settlement whose result takes the runs inserted. */
  at: number;
  successors: AfterBatchSuccessors;
}

/**
 * The after-batch successors of a batch's settlements that applied (`applied(i)`: the one at
 * position i ended its run; a run settled twice in one batch applies once).
 */
export function afterBatchOf(
  settlements: readonly Settlement[],
  applied: (at: number) => boolean,
): AfterBatch[] {
  const byKey = new Map<string, AfterBatch>();
  settlements.forEach((s, at) => {
    const after = s.successors?.afterBatch;
    if (!after || !applied(at)) return;
    // A later settlement naming the key takes it over (the map keeps the key's first place).
    byKey.set(after.key, { at, successors: after });
  });
  return [...byKey.values()];
}

/** The result with the runs an after-batch step inserted added to its successors. */
export function withSuccessors(result: SettleResult, runs: readonly RunRecord[]): SettleResult {
  if (runs.length === 0) return result;
  return { ...result, successors: [...(result.successors ?? []), ...runs] };
}
