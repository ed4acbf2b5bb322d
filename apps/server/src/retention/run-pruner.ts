/**
 * Prunes run history by each namespace's retention (retention-policy.ts): finished runs older
 * than N days or beyond a task's newest N, and the logs and events of runs older than their own
 * limit. Every step is one bounded read and one delete of at most `batchSize` runs, and the
 * pruner yields to the event loop between steps (and, on SQLite, waits while a planned run is
 * about to be released: `whenClear`), so firing is not disturbed (bench/retention.js measures
 * lateness with and without it). On SQLite the freed pages are then given back to the file
 * system a few at a time (incremental vacuum). On PostgreSQL one node prunes at a time: the one
 * holding the pruner's session lock (store.holdPrunerLock). Nothing here needs to survive a
 * crash: a pass that stops half way is the next pass's work.
 *
 * The run statistics are unaffected: they are summed into the rollups when runs finish
 * (store/run-stats-rollup.ts) and read from there, never from the runs.
 */
import { setImmediate } from 'node:timers/promises';
import type { Config } from '../config.js';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { Store } from '../store/store.js';
import { effectiveRetention, prunePlan, type RetentionDefaults } from './retention-policy.js';

/** Pages given back per incremental vacuum step (4 KiB each: 1 MiB) and steps per pass at most. */
const VACUUM_PAGES_PER_STEP = 256;
const VACUUM_STEPS_PER_PASS = 64;
/** Tasks read per step of the per-task rule. */
const TASKS_PER_STEP = 100;
/**
 * A delete should hold the event loop (SQLite) or a connection (PostgreSQL) about this long at
 * most: the batch halves after a slower one and grows by a quarter after a quick one, between
 * MIN_BATCH and the configured batch size. A run's cascade (logs, events, executions) and ten
 * indexes make a fixed batch cost anything from 2 to 100 ms by machine and load; bench/retention.js
 * showed runs skipped behind 200-run deletes on a loaded 2-core machine.
 */
const TARGET_STEP_MS = 5;
const MIN_BATCH = 10;

export interface RunPrunerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  defaults: RetentionDefaults;
  /** Runs per delete statement. */
  batchSize: number;
  /** Between passes, in ms. */
  intervalMs: number;
  /** Resolves when background work may hold the event loop (default: at once). */
  whenClear?: () => Promise<void>;
}

/** What one pass did. */
export interface PruneReport {
  runs: number;
  /** Log lines and events deleted on their own (not with their run). */
  details: number;
  /** Free pages left in the SQLite file after the pass (0 on PostgreSQL). */
  freePages: number;
}

/** A node's pruner as the server's settings describe it. */
export function prunerFor(
  config: Pick<
    Config,
    'retentionDays' | 'retentionRunsPerTask' | 'retentionLogDays' | 'pruneBatchSize' | 'pruneIntervalSeconds'
  >,
  deps: Pick<RunPrunerDeps, 'store' | 'clock' | 'logger' | 'whenClear'>,
): RunPruner {
  return new RunPruner({
    ...deps,
    defaults: {
      keepDays: config.retentionDays,
      keepRunsPerTask: config.retentionRunsPerTask,
      keepLogsDays: config.retentionLogDays,
    },
    batchSize: config.pruneBatchSize,
    intervalMs: config.pruneIntervalSeconds * 1000,
  });
}

export class RunPruner {
  #timer: TimerHandle | undefined;
  #pass: Promise<unknown> | undefined;
  #running = false;
  #stopped = false;
  #warnedNoIncrementalVacuum = false;
  /** Per namespace, the highest run id whose details were pruned (memory only: a restart rescans). */
  readonly #detailsDoneUpTo = new Map<number, number>();
  /** Runs per delete now (see TARGET_STEP_MS). */
  #batch: number;

  constructor(private readonly deps: RunPrunerDeps) {
    this.#batch = deps.batchSize;
  }

  /** The server's retention, under each namespace's own. */
  get defaults(): RetentionDefaults {
    return this.deps.defaults;
  }

  start(): void {
    this.#running = true;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#pass;
  }

  /** One pass over every namespace; returns what it pruned (nothing when another node prunes). */
  async pruneOnce(): Promise<PruneReport> {
    const report: PruneReport = { runs: 0, details: 0, freePages: 0 };
    const { store } = this.deps;
    if (!(await store.holdPrunerLock())) return report;
    const settings = await store.listRetention();
    const now = this.deps.clock.now();
    for (const ns of await store.listNamespaces()) {
      const plan = prunePlan(effectiveRetention(settings.get(ns.id), this.deps.defaults), now);
      if (plan.runsEndedBefore !== undefined)
        report.runs += await this.#pruneOld(ns.id, plan.runsEndedBefore);
      if (plan.keepRunsPerTask !== undefined)
        report.runs += await this.#pruneBeyond(ns.id, plan.keepRunsPerTask);
      if (plan.detailsEndedBefore !== undefined)
        report.details += await this.#pruneDetails(ns.id, plan.detailsEndedBefore);
      if (this.#stopped) break;
    }
    if (report.runs + report.details > 0) report.freePages = await this.#reclaim();
    return report;
  }

  /** Finished runs that ended before `cutoff`, walking the namespace's runs oldest first. */
  async #pruneOld(namespaceId: number, cutoff: number): Promise<number> {
    let deleted = 0;
    let after = 0;
    for (;;) {
      await this.#yield();
      const limit = this.#batch;
      const runs = await this.deps.store.scanRunsToPrune(namespaceId, after, limit);
      const old = runs.filter((run) => run.finished && run.endedAt < cutoff).map((run) => run.id);
      deleted += await this.#timed(() => this.deps.store.deleteFinishedRuns(old));
      // Runs are created in id order and end after they are created: past the first one created
      // after the cutoff, none can have ended before it.
      if (runs.length < limit || runs.some((run) => run.createdAt >= cutoff)) return deleted;
      after = runs.at(-1)!.id;
    }
  }

  /** Each task's finished runs beyond its newest `keep`. */
  async #pruneBeyond(namespaceId: number, keep: number): Promise<number> {
    let deleted = 0;
    let afterTask = 0;
    for (;;) {
      await this.#yield();
      const tasks = await this.deps.store.listTaskIdsAfter(namespaceId, afterTask, TASKS_PER_STEP);
      for (const taskId of tasks) {
        // A yield per task: on SQLite a chain of awaited statements never lets a timer run.
        await this.#yield();
        for (;;) {
          const limit = this.#batch;
          const ids = await this.deps.store.runsBeyondNewest(taskId, keep, limit);
          deleted += await this.#timed(() => this.deps.store.deleteFinishedRuns(ids));
          if (ids.length < limit) break;
          await this.#yield();
        }
      }
      if (tasks.length < TASKS_PER_STEP) return deleted;
      afterTask = tasks.at(-1)!;
    }
  }

  /** Logs and events of finished runs that ended before `cutoff` (the runs stay). */
  async #pruneDetails(namespaceId: number, cutoff: number): Promise<number> {
    let deleted = 0;
    let after = this.#detailsDoneUpTo.get(namespaceId) ?? 0;
    for (;;) {
      await this.#yield();
      const limit = this.#batch;
      const runs = await this.deps.store.scanRunsToPrune(namespaceId, after, limit);
      // Only the leading runs that are done with: the first one not yet prunable stops the walk,
      // so the cursor never passes a run whose details must still go later.
      const firstKept = runs.findIndex((run) => !run.finished || run.endedAt >= cutoff);
      const done = firstKept === -1 ? runs : runs.slice(0, firstKept);
      deleted += await this.#timed(() => this.deps.store.deleteRunDetails(done.map((run) => run.id)));
      if (done.length > 0) {
        after = done.at(-1)!.id;
        this.#detailsDoneUpTo.set(namespaceId, after);
      }
      if (firstKept !== -1 || runs.length < limit) return deleted;
    }
  }

  /** Gives freed pages back in small steps (SQLite); returns the free pages left. */
  async #reclaim(): Promise<number> {
    let report = await this.deps.store.reclaimSpace(0);
    if (!report.incremental) {
      if (!this.#warnedNoIncrementalVacuum)
        this.deps.logger.warn(
          'the SQLite file was created before incremental vacuum: pruned space is reused but not given back; ' +
            'see docs/production.md (run history) for the one-time VACUUM',
        );
      this.#warnedNoIncrementalVacuum = true;
      return report.freePages;
    }
    for (let step = 0; step < VACUUM_STEPS_PER_PASS && report.freePages > 0; step++) {
      await this.#yield();
      report = await this.deps.store.reclaimSpace(VACUUM_PAGES_PER_STEP);
    }
    return report.freePages;
  }

  /** Runs a delete and sizes the next batch by how long it took. */
  async #timed(remove: () => Promise<number>): Promise<number> {
    const started = performance.now();
    const deleted = await remove();
    const took = performance.now() - started;
    if (took > 2 * TARGET_STEP_MS) this.#batch = Math.max(MIN_BATCH, Math.floor(this.#batch / 2));
    else if (took < TARGET_STEP_MS)
      this.#batch = Math.min(this.deps.batchSize, Math.ceil(this.#batch * 1.25));
    return deleted;
  }

  /** Lets timers and I/O run, then waits until background work may run. */
  async #yield(): Promise<void> {
    await setImmediate();
    await this.deps.whenClear?.();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.deps.clock.setTimer(() => {
      this.#pass = this.pruneOnce()
        .then((report) => {
          if (report.runs + report.details > 0) this.deps.logger.info(report, 'pruned run history');
        })
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'pruning run history failed'))
        .finally(() => {
          this.#pass = undefined;
          this.#schedule();
        });
    }, this.deps.intervalMs);
  }
}
