/**
 * The batch feeder: turns a batch's pending items into runs as its concurrency frees slots, and
 * ends items as their runs end. Runs are created lazily, a few at a time, and go through the
 * ordinary path of a triggered run (RunEngine.triggerMany: stored, then admitted under the
 * task's and app's limits, then started), so a batch of 100,000 items never holds 100,000 runs.
 *
 * Nothing of a batch lives only in memory. Each step reads the store and writes idempotently: a
 * run is triggered with the idempotency key `batch:<batch>:<seq>:<attempt>`, so a node that
 * crashed between creating a run and marking its item running finds the same run again. On a
 * cluster one node feeds a batch at a time: each look takes or renews a lease on the batches it
 * feeds (store.claimBatchFeeds), which another node takes once it expires (its node died) or is
 * given up (its node stopped); should a look outlast its lease, the idempotency keys still create
 * each item's run once. The event bus only wakes the feeder early (a run ended); a timer looks
 * every `pollMs` anyway (runs ended on other nodes, a restart).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { BatchItemEnd, BatchRecord } from '../store/batch-store.js';
import type { RunRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { itemRunKey, itemStep, isEnded, retryKeyOf } from './item-outcome.js';

export interface BatchFeederDeps {
  store: Store;
  engine: Pick<RunEngine, 'triggerMany'>;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** How often the feeder looks without being woken, in ms. */
  pollMs: number;
  /**
   * Resolves when background work may hold the event loop (SQLite: not in the moments before a
   * planned run's release, see EventLoopShare.whenClear); each batch's look waits for it.
   */
  whenClear?: (() => Promise<void>) | undefined;
  /** On a cluster: this node's id and how long its lease on a batch it feeds lasts. */
  lease?: { nodeId: string; ttlMs: number } | undefined;
}

/** How many items a batch may have running at once, given its task's concurrency. */
export function effectiveConcurrency(batch: BatchRecord, task: TaskRecord): number {
  const { overlap, max } = task.concurrency;
  // With skip or replace, a run over the task's limit would be skipped or replace another.
  return overlap === 'skip' || overlap === 'replace' ? Math.min(batch.concurrency, max) : batch.concurrency;
}

export class BatchFeeder {
  private timer: TimerHandle | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Batches fed at the last look: a run's end wakes the feeder only while there are some. */
  private feeding = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: BatchFeederDeps) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe.push(
      this.deps.events.on('run:finished', () => {
        if (this.feeding > 0) this.wake();
      }),
    );
    this.schedule();
    this.wake();
  }

  /** Looks now (or once more after the look under way). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.loop().finally(() => (this.ticking = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
    await this.ticking;
    const { lease } = this.deps;
    if (lease) {
      await this.deps.store
        .releaseBatchFeeds(lease.nodeId)
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'giving up batch leases failed'));
    }
  }

  /** Resolves once a look that started after this call has finished (tests, the API). */
  async settle(): Promise<void> {
    await this.ticking;
    this.wake();
    await this.ticking;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimer(() => {
      this.wake();
      this.schedule();
    }, this.deps.pollMs);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const batches = await this.ownBatches(await this.deps.store.listBatchesToFeed());
        this.feeding = batches.length;
        for (const batch of batches) {
          await this.deps.whenClear?.();
          if (this.stopped) return;
          await this.feed(batch);
        }
      } catch (error) {
        this.deps.logger.error({ err: error }, 'feeding batches failed; trying again at the next look');
      }
    } while (this.again && !this.stopped);
  }

  /** The batches this node feeds: all of them alone, those it holds the lease of on a cluster. */
  private async ownBatches(batches: BatchRecord[]): Promise<BatchRecord[]> {
    const { lease, store, clock } = this.deps;
    if (!lease || batches.length === 0) return batches;
    const ids = batches.map((b) => b.id);
    const mine = new Set(await store.claimBatchFeeds(lease.nodeId, ids, clock.now(), lease.ttlMs));
    return batches.filter((b) => mine.has(b.id));
  }

  private async feed(batch: BatchRecord): Promise<void> {
    const { store, clock } = this.deps;
    const task = await store.getTask(batch.taskId);
    if (!task) return; // deleted: its batches go with it
    const running = await this.reconcile(batch, task);
    if (batch.status !== 'running') return;
    const slots = effectiveConcurrency(batch, task) - running;
    if (slots <= 0) return;
    const pending = await store.nextPendingItems(batch.id, slots);
    if (pending.length === 0) {
      const completed =
        running === 0
          ? await store.setBatchStatus(batch.id, 'completed', ['running'], clock.now())
          : undefined;
      if (completed) this.deps.events.emit('batch:changed', { batch: completed });
      return;
    }
    const runTask = await this.withPool(batch, task);
    const results = await this.deps.engine.triggerMany(
      pending.map((item) => ({
        task: runTask,
        input: { ...batch.input, ...item.input },
        triggerType: 'api' as const,
        idempotencyKey: itemRunKey(batch.id, item.seq, item.attempt),
        // A replay against another workflow version runs that version.
        versionPin: batch.source.type === 'batch' ? batch.source.workflowId : null,
      })),
    );
    await store.markItemsRunning(
      batch.id,
      pending.map((item, i) => ({ seq: item.seq, runId: results[i]!.run.id })),
    );
  }

  /**
   * The task as the batch's runs see it: with the batch's pool in place of the task's own, so
   * that the run gate paces them by that pool (pacing/). A pool deleted since the batch started
   * leaves the task's own.
   */
  private async withPool(batch: BatchRecord, task: TaskRecord): Promise<TaskRecord> {
    if (batch.pool === null) return task;
    const pool = await this.deps.store.getPoolByName(batch.namespaceId, batch.pool);
    return pool ? { ...task, poolId: pool.id } : task;
  }

  /** Ends the items whose runs ended (or follows their retries); returns how many still run. */
  private async reconcile(batch: BatchRecord, task: TaskRecord): Promise<number> {
    const { store, clock } = this.deps;
    const items = await store.runningItems(batch.id);
    const unsuccessful = items.flatMap((i) =>
      i.run && isEnded(i.run) && i.run.status !== 'succeeded' ? [retryKeyOf(i.run)] : [],
    );
    const retries = new Map<string, RunRecord>(
      (await store.runsByKeys(task.id, unsuccessful)).map((r) => [r.idempotencyKey ?? '', r]),
    );
    const now = clock.now();
    const ends: BatchItemEnd[] = [];
    const moves: { seq: number; fromRunId: number; runId: number }[] = [];
    let stillRunning = 0;
    for (const item of items) {
      const step = itemStep(item, batch.status, retries, now);
      if (step.kind === 'end') ends.push(step.end);
      else {
        stillRunning++;
        if (step.kind === 'follow') moves.push(step);
      }
    }
    if (moves.length > 0) await store.followRetries(batch.id, moves);
    if (ends.length > 0 && (await store.finishItems(batch.id, ends, now)) > 0) {
      const after = await store.getBatch(batch.id);
      if (after) this.deps.events.emit('batch:changed', { batch: after });
    }
    return stillRunning;
  }
}
