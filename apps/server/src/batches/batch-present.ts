/**
 * Batches and items as the API shows them: progress from the batch's counters (one row) and the
 * count of its running items (at most its concurrency), with a finish estimated at the pace so
 * far.
 */
import type { Batch, BatchItem } from '@kairos/protocol';
import type { BatchItemRecord, BatchRecord } from '../store/batch-store.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** When the items left would be done at the pace of those done so far (null: no pace yet). */
export function estimatedFinish(batch: BatchRecord, left: number, now: number): number | null {
  const ended = batch.succeeded + batch.failed;
  const elapsed = now - batch.createdAt;
  if (batch.status !== 'running' || left === 0 || ended === 0 || elapsed <= 0) return null;
  return Math.round(now + (left * elapsed) / ended);
}

export function presentBatch(batch: BatchRecord, namespace: string, running: number, now: number): Batch {
  const left = Math.max(0, batch.total - batch.invalid - batch.succeeded - batch.failed - batch.cancelled);
  const finishAt = estimatedFinish(batch, left, now);
  return {
    id: batch.id,
    namespace,
    taskId: batch.taskId,
    name: batch.name,
    status: batch.status === 'preparing' ? 'running' : batch.status,
    concurrency: batch.concurrency,
    pool: batch.pool,
    input: batch.input,
    source: batch.source,
    progress: {
      total: batch.total,
      done: batch.succeeded,
      failed: batch.failed,
      invalid: batch.invalid,
      cancelled: batch.cancelled,
      running,
      left,
      tokens: batch.tokens,
      cost: Math.round(batch.cost * 1e6) / 1e6,
      currency: batch.currency,
      estimatedFinishAt: isoOrNull(finishAt),
    },
    createdBy: batch.createdBy,
    createdAt: iso(batch.createdAt),
    updatedAt: iso(batch.updatedAt),
    finishedAt: isoOrNull(batch.finishedAt),
  };
}

export function presentItem(item: BatchItemRecord): BatchItem {
  return {
    seq: item.seq,
    status: item.status,
    input: item.input,
    attempt: item.attempt,
    runId: item.runId,
    output: item.output,
    error: item.error,
    tokens: item.tokens,
    cost: item.cost,
    finishedAt: isoOrNull(item.finishedAt),
  };
}
