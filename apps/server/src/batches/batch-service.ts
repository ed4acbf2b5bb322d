/**
 * What the batches API does: start a batch (read its dataset, check it, store it and its items),
 * and pause, resume, cancel or retry one. Every refusal is a 400 naming the field, decided before
 * anything is stored; a start that fails while its items are being written deletes the batch.
 */
import type { z } from 'zod';
import { BATCH_URL_LIMIT_BYTES, type BatchCreate, type BatchReplay } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import { KairosError } from '../errors.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { BatchRecord, BatchSource, BatchStatus, NewBatchItem } from '../store/batch-store.js';
import type { TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { BatchFeeder } from './batch-feeder.js';
import { fetchDataset } from './dataset-fetch.js';
import { itemsOfOutput, parseCsv, parseJsonl, type ItemCheck } from './dataset-parse.js';
import { isEnded } from './item-outcome.js';
import { replayBatch } from './batch-replay.js';

/** Items written per transaction while a batch is prepared (the loop takes a turn between). */
const ITEMS_PER_WRITE = 500;
/** Per-item errors returned with the start (all of them: the items with status `invalid`). */
const ERRORS_IN_ANSWER = 100;

type Create = z.output<typeof BatchCreate>;

export interface BatchServiceDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: Pick<RunEngine, 'cancel'>;
  feeder: Pick<BatchFeeder, 'wake'>;
  guards: GuardSource;
  /** Resolves when background writes may run (SQLite: not just before a planned run). */
  whenClear?: () => Promise<void>;
  /** Whether a pool of this name exists in the namespace; absent: this server has no pools. */
  poolExists?: (namespaceId: number, name: string) => Promise<boolean>;
  /** Checks an item's input against what the task needs (a Dify workflow's variables). */
  itemCheckFor?: (task: TaskRecord) => Promise<ItemCheck | undefined>;
}

export interface StartedBatch {
  batch: BatchRecord;
  itemErrors: { seq: number; message: string }[];
}

const invalid = (field: string, message: string): KairosError =>
  new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });

export class BatchService {
  constructor(private readonly deps: BatchServiceDeps) {}

  async start(task: TaskRecord, body: Create, createdBy: string | null): Promise<StartedBatch> {
    const { store, clock } = this.deps;
    if (body.pool !== undefined) {
      const exists = (await this.deps.poolExists?.(task.namespaceId, body.pool)) ?? false;
      if (!exists) throw invalid('pool', `pool "${body.pool}" does not exist in the task's namespace`);
    }
    const check = await this.deps.itemCheckFor?.(task);
    const { items, source, field } = await this.readItems(task, body.source, check);
    if (items.length === 0) throw invalid(field, 'the dataset holds no items');
    const errors = items.filter((item) => item.error);
    if (errors.length === items.length) {
      throw invalid(field, `no item of the dataset can run; the first: ${errors[0]!.error!.message}`);
    }
    const batch = await store.createBatch({
      namespaceId: task.namespaceId,
      taskId: task.id,
      name: body.name ?? null,
      concurrency: body.concurrency,
      pool: body.pool ?? null,
      input: body.input ?? null,
      source,
      total: items.length,
      createdBy,
      createdAt: clock.now(),
    });
    let started: BatchRecord | undefined;
    try {
      for (let at = 0; at < items.length; at += ITEMS_PER_WRITE) {
        await this.deps.whenClear?.();
        await store.appendBatchItems(batch.id, items.slice(at, at + ITEMS_PER_WRITE));
      }
      started = await store.setBatchStatus(batch.id, 'running', ['preparing'], clock.now());
    } finally {
      if (!started) await store.deleteBatch(batch.id);
    }
    this.deps.feeder.wake();
    return {
      batch: started!,
      itemErrors: errors.slice(0, ERRORS_IN_ANSWER).map((item) => ({
        seq: item.seq,
        message: item.error!.message,
      })),
    };
  }

  pause(id: number): Promise<BatchRecord> {
    return this.change(id, 'paused', ['running'], 'only a running batch can be paused');
  }

  async resume(id: number): Promise<BatchRecord> {
    const batch = await this.change(id, 'running', ['paused'], 'only a paused batch can be resumed');
    this.deps.feeder.wake();
    return batch;
  }

  /** Pending items are cancelled at once; running runs are cancelled and end their items. */
  async cancel(id: number): Promise<BatchRecord> {
    const batch = await this.change(id, 'cancelled', ['running', 'paused'], 'it has already ended');
    const running = await this.deps.store.runningItems(id);
    for (const item of running) {
      if (!item.run || isEnded(item.run)) continue;
      try {
        await this.deps.engine.cancel(item.runId);
      } catch (error) {
        // Ended meanwhile: its item ends with it.
        if (!(error instanceof KairosError && error.code === 'RUN_ALREADY_FINISHED')) throw error;
      }
    }
    this.deps.feeder.wake();
    return (await this.deps.store.getBatch(id)) ?? batch;
  }

  async retryFailed(id: number): Promise<{ retried: number; batch: BatchRecord }> {
    const batch = await this.get(id);
    if (batch.status === 'cancelled') {
      throw new KairosError('CONFLICT', `batch ${id} was cancelled; start a new batch to run its items`);
    }
    const retried = await this.deps.store.retryFailedItems(id, this.deps.clock.now());
    const after = (await this.deps.store.getBatch(id))!;
    this.deps.events.emit('batch:changed', { batch: after });
    this.deps.feeder.wake();
    return { retried, batch: after };
  }

  /** A finished batch's items run again as a new batch (batch-replay.ts). */
  async replay(
    id: number,
    body: z.output<typeof BatchReplay>,
    createdBy: string | null,
  ): Promise<BatchRecord> {
    const batch = await this.get(id);
    const task = await this.deps.store.getTask(batch.taskId);
    if (!task) throw new KairosError('TASK_NOT_FOUND', `task ${batch.taskId} of batch ${id} does not exist`);
    const replay = await replayBatch(this.deps, batch, task, body, createdBy);
    this.deps.events.emit('batch:changed', { batch: replay });
    this.deps.feeder.wake();
    return replay;
  }

  async get(id: number): Promise<BatchRecord> {
    const batch = await this.deps.store.getBatch(id);
    if (!batch || batch.status === 'preparing') {
      throw new KairosError('BATCH_NOT_FOUND', `batch ${id} does not exist`);
    }
    return batch;
  }

  private async change(id: number, to: BatchStatus, from: BatchStatus[], why: string): Promise<BatchRecord> {
    const before = await this.get(id);
    const after = await this.deps.store.setBatchStatus(id, to, from, this.deps.clock.now());
    if (!after) throw new KairosError('CONFLICT', `batch ${id} is ${before.status}: ${why}`);
    this.deps.events.emit('batch:changed', { batch: after });
    return after;
  }

  private async readItems(
    task: TaskRecord,
    source: Create['source'],
    check: ItemCheck | undefined,
  ): Promise<{ items: NewBatchItem[]; source: BatchSource; field: string }> {
    switch (source.type) {
      case 'upload': {
        const field = 'source.content';
        const items =
          source.format === 'csv'
            ? await parseCsv(source.content, field, check)
            : await parseJsonl(source.content, check);
        return {
          items,
          field,
          source: { type: 'upload', format: source.format, filename: source.filename },
        };
      }
      case 'url': {
        const field = 'source.url';
        const text = await fetchDataset(source.url, {
          guards: this.deps.guards,
          namespaceId: task.namespaceId,
          limitBytes: BATCH_URL_LIMIT_BYTES,
          field,
        });
        const format = source.format ?? (new URL(source.url).pathname.endsWith('.csv') ? 'csv' : 'jsonl');
        const items = format === 'csv' ? await parseCsv(text, field, check) : await parseJsonl(text, check);
        return { items, field, source: { type: 'url', format, url: source.url } };
      }
      case 'run': {
        const run = await this.deps.store.getRun(source.runId);
        if (!run || run.namespaceId !== task.namespaceId) {
          throw invalid('source.runId', `run ${source.runId} does not exist in the task's namespace`);
        }
        if (run.status !== 'succeeded') {
          throw invalid(
            'source.runId',
            `run ${source.runId} is ${run.status}; its output is used once it succeeded`,
          );
        }
        const items = itemsOfOutput(run.output, source.path, source.as, 'source.path', check);
        return { items, field: 'source.path', source: { type: 'run', runId: run.id, path: source.path } };
      }
    }
  }
}
