/**
 * What a batch item's run means for the item (pure): a run that ended ends its item, unless the
 * task's retry policy inserted a retry run, which the item then follows. A run cancelled while
 * its batch was not cancelled (someone cancelled that one run) counts as failed, so that
 * retry-failed runs it again.
 */
import type { RunRecord } from '../store/records.js';
import type { BatchItemEnd, BatchStatus, RunningItem } from '../store/batch-store.js';

export type ItemStep =
  | { kind: 'running' }
  | { kind: 'follow'; seq: number; fromRunId: number; runId: number }
  | { kind: 'end'; end: BatchItemEnd };

/** The idempotency key of the retry the settlement inserts after `run` (runs/settlement.ts). */
export const retryKeyOf = (run: RunRecord): string => `retry:${run.retryOf ?? run.id}:${run.attempt + 1}`;

export const isEnded = (run: RunRecord): boolean => run.status !== 'scheduled' && run.status !== 'running';

/** A batch run's idempotency key: one run per item and attempt, whichever node feeds it. */
export const itemRunKey = (batchId: number, seq: number, attempt: number): string =>
  `batch:${batchId}:${seq}:${attempt}`;

export function itemStep(
  item: RunningItem,
  batchStatus: BatchStatus,
  retries: ReadonlyMap<string, RunRecord>,
  now: number,
): ItemStep {
  const { run } = item;
  if (!run) {
    return {
      kind: 'end',
      end: {
        seq: item.seq,
        runId: item.runId,
        status: 'failed',
        output: null,
        error: { type: 'lost', message: `run ${item.runId} no longer exists (deleted or pruned)` },
        tokens: null,
        cost: null,
        currency: null,
        finishedAt: now,
      },
    };
  }
  if (!isEnded(run)) return { kind: 'running' };
  if (run.status !== 'succeeded') {
    const retry = retries.get(retryKeyOf(run));
    if (retry) return { kind: 'follow', seq: item.seq, fromRunId: run.id, runId: retry.id };
  }
  const status =
    run.status === 'succeeded'
      ? 'succeeded'
      : run.status === 'cancelled' && batchStatus === 'cancelled'
        ? 'cancelled'
        : 'failed';
  return {
    kind: 'end',
    end: {
      seq: item.seq,
      runId: run.id,
      status,
      output: run.output,
      error:
        run.error ??
        (status === 'failed' ? { type: run.status, message: `the run ended ${run.status}` } : null),
      tokens: run.usage?.totalTokens ?? null,
      cost: run.usage?.totalPrice ?? null,
      currency: run.usage?.currency ?? null,
      finishedAt: run.finishedAt ?? now,
    },
  };
}
