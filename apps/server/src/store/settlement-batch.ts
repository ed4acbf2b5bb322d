/**
 * The successors a batch of settlements leaves to its end (SettlementSuccessors.afterBatch): one
 * per key, in the order the keys first appear, each handed over with the last settlement applied
 * that names it. Both stores run them after the batch's own writes, in its transaction.
 */
import type { AfterBatchSuccessors, RunRecord, SettleResult, Settlement } from './store.js';

export interface AfterBatch {
  /** The settlement whose result takes the runs inserted. */
  runId: number;
  successors: AfterBatchSuccessors;
}

/** The after-batch successors of the settlements that applied (in batch order). */
export function afterBatchOf(applied: readonly Settlement[]): AfterBatch[] {
  const byKey = new Map<string, AfterBatch>();
  for (const s of applied) {
    const after = s.successors?.afterBatch;
    if (!after) continue;
    // A later settlement naming the key takes it over (the map keeps the key's first place).
    byKey.set(after.key, { runId: s.runId, successors: after });
  }
  return [...byKey.values()];
}

/** The result with the runs an after-batch step inserted added to its successors. */
export function withSuccessors(result: SettleResult, runs: readonly RunRecord[]): SettleResult {
  if (runs.length === 0) return result;
  return { ...result, successors: [...(result.successors ?? []), ...runs] };
}
