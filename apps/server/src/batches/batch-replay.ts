/**
 * A finished batch replayed: a new batch of the same task over the same items (same seqs, same
 * inputs; the invalid ones stay invalid), its runs pinned to a workflow version (`workflowId`) or
 * running the task's current one, to be compared item by item with the first (batch-comparison.ts).
 * Checked before anything is stored; a replay that fails while its items are copied is deleted.
 */
import type { z } from 'zod';
import type { BatchReplay } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { BatchRecord } from '../store/batch-store.js';
import type { TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Job types whose runs can be pinned to a workflow version. */
const PINNABLE = new Set(['dify_workflow']);

export interface BatchReplayDeps {
  store: Store;
  clock: Clock;
  poolExists?: ((namespaceId: number, name: string) => Promise<boolean>) | undefined;
}

const invalid = (field: string, message: string): KairosError =>
  new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });

export async function replayBatch(
  deps: BatchReplayDeps,
  batch: BatchRecord,
  task: TaskRecord,
  body: z.output<typeof BatchReplay>,
  createdBy: string | null,
): Promise<BatchRecord> {
  const { store, clock } = deps;
  if (batch.status !== 'completed' && batch.status !== 'cancelled') {
    throw new KairosError(
      'CONFLICT',
      `batch ${batch.id} is ${batch.status}: only a finished batch (completed or cancelled) can be replayed`,
    );
  }
  if (body.workflowId !== undefined && !PINNABLE.has(task.type)) {
    throw invalid(
      'workflowId',
      `task ${task.id} is a ${task.type} task; only a Dify workflow's runs can be pinned to a version`,
    );
  }
  const pool = body.pool ?? batch.pool;
  if (body.pool !== undefined && !((await deps.poolExists?.(task.namespaceId, body.pool)) ?? false)) {
    throw invalid('pool', `pool "${body.pool}" does not exist in the task's namespace`);
  }
  const replay = await store.createBatch({
    namespaceId: batch.namespaceId,
    taskId: batch.taskId,
    name: body.name ?? `replay of ${batch.name ?? `batch ${batch.id}`}`,
    concurrency: body.concurrency ?? batch.concurrency,
    pool,
    input: batch.input,
    source: { type: 'batch', batchId: batch.id, workflowId: body.workflowId ?? null },
    total: batch.total,
    createdBy,
    createdAt: clock.now(),
  });
  let started: BatchRecord | undefined;
  try {
    await store.copyBatchItems(batch.id, replay.id);
    started = await store.setBatchStatus(replay.id, 'running', ['preparing'], clock.now());
  } finally {
    if (!started) await store.deleteBatch(replay.id);
  }
  if (!started)
    throw new KairosError('CONFLICT', `batch ${replay.id} could not be started; nothing was replayed`);
  return started;
}
