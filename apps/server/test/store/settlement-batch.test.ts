/**
 * What a batch of settlements leaves to its end: one after-batch step per key, handed to the last
 * settlement naming it that applied (by position: a run settled twice in a batch applies once);
 * and the order in which a batch runs its successors, by the workflow run they lock.
 */
import { describe, expect, it } from 'vitest';
import {
  afterBatchOf,
  inLockOrder,
  type AfterBatchSuccessors,
  type SettlementSuccessors,
} from '../../src/store/settlement-batch.js';
import type { RunRecord, Settlement } from '../../src/store/store.js';
import type { WriteSteps } from '../../src/store/write-steps.js';

/** Steps that write nothing (never run here). */
function* none(): WriteSteps<RunRecord[]> {
  yield* [];
  return [];
}
const after = (key: string): AfterBatchSuccessors => ({ key, steps: () => none() });
const settlement = (runId: number, successors: SettlementSuccessors | null): Settlement =>
  ({ runId, successors }) as unknown as Settlement;
const of = (key: string | null, lockOrder?: number): SettlementSuccessors => ({
  steps: () => none(),
  ...(key ? { afterBatch: after(key) } : {}),
  lockOrder,
});

describe('settlement batches', () => {
  it('runs each key once, with the last settlement naming it that applied, by position', () => {
    const batch = [
      settlement(1, of('wf:7')),
      settlement(2, of('wf:8')),
      settlement(3, of('wf:7')),
      settlement(3, of('wf:7')), // the same run again: did not apply
      settlement(4, of(null)),
    ];
    const applied = [true, true, true, false, true];
    expect(afterBatchOf(batch, (i) => applied[i]!).map((a) => [a.at, a.successors.key])).toEqual([
      [2, 'wf:7'],
      [1, 'wf:8'],
    ]);
  });

  it('orders successors by the workflow run they lock, the others first', () => {
    const batch = [settlement(1, of(null, 9)), settlement(2, of(null)), settlement(3, of(null, 4))];
    expect(inLockOrder(batch).map((s) => s.runId)).toEqual([2, 3, 1]);
  });
});
