/**
 * The successors a batch of settlements leaves to its end (SettlementSuccessors.afterBatch): one
 * per key, in the order the keys first appear, each handed over with the last settlement applied
 * that names it (by its position in the batch). Both stores run them after the batch's own writes, in its transaction.
 */
import type { AfterBatchSuccessors, RunRecord, SettleResult, Settlement } from './store.js';

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
