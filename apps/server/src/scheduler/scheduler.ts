/**
 * The scheduler loop. Every poll (and whenever a task changes) it claims the tasks due within the
 * look-ahead window and, in one transaction per batch, inserts their runs and advances their
 * next_fire_at (store.claimDueTasks). The runs then wait in the engine's timer queue for their
 * instant. Several nodes may run this loop on one database: the unique (task, slot) rule makes
 * every slot fire once.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { EventBus } from '../events.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { CalendarCache } from './calendar-cache.js';
import { planTask } from './planner.js';

export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: RunEngine;
  calendars: CalendarCache;
  logger: Logger;
  nodeId: string;
  lookaheadMs: number;
  pollIntervalMs: number;
  leaseMs: number;
  /** Tasks planned per claim transaction. */
  claimBatch?: number;
  /**
   * Claim pacing (a latency layer, see LatencyTuning): wait for a moment with no release near,
   * and on SQLite size each claim to end before the next release. Only with the system clock.
   * Default off.
   */
  paceClaims?: boolean;
}

/**
 * A claim transaction blocks the event loop while it runs (SQLite is synchronous): about 37 µs
 * per task measured with 1,000 every-second tasks, i.e. 37 ms for one batch of 1,000, enough to
 * make a whole second's runs late. Batches of 200 keep each block under ~8 ms.
 */
const DEFAULT_CLAIM_BATCH = 200;
/**
 * On SQLite a batch is also cut to fit before the next planned release, from the measured cost
 * per task (with runs due every few ms, e.g. 200 runs/s, a 200-task claim would hold one of them
 * back by ~10 ms), but never below this many tasks, so claiming keeps up.
 */
const MIN_CLAIM_BATCH = 20;
/** A claim does not start this close before a planned release... */
const QUIET_BEFORE_RELEASE_MS = 12;

export class Scheduler {
  private timer: TimerHandle | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  private again = false;
  /** Measured ms a claim transaction takes per task (SQLite), for fitting claims between releases. */
  private msPerClaimedTask = 0.05;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Plans now rather than at the next poll (a task was created or changed). */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = this.deps.clock.setTimer(() => this.wake(), this.deps.pollIntervalMs);
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.ticking;
  }

  /** Waits until no planned run is due within the next few ms, so a claim cannot delay it. */
  private async quietMoment(): Promise<void> {
    if (this.deps.paceClaims !== true) return;
    for (let i = 0; i < 5; i++) {
      const wait = this.deps.engine.nextReleaseAt - this.deps.clock.now();
      if (wait > QUIET_BEFORE_RELEASE_MS || wait < -QUIET_BEFORE_RELEASE_MS) return;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, wait) + 2));
    }
  }

  /** How many tasks the next claim may take: `batch`, or fewer to end before the next release. */
  private claimLimit(batch: number): number {
    if (this.deps.paceClaims !== true || !this.deps.store.capabilities.exclusiveWriter) return batch;
    const gap = this.deps.engine.nextReleaseAt - this.deps.clock.now() - 1;
    if (!Number.isFinite(gap)) return batch;
    return Math.max(MIN_CLAIM_BATCH, Math.min(batch, Math.floor(gap / this.msPerClaimedTask)));
  }

  private learnClaimCost(tasks: number, durationMs: number): void {
    if (tasks < MIN_CLAIM_BATCH) return;
    this.msPerClaimedTask = 0.7 * this.msPerClaimedTask + 0.3 * (durationMs / tasks);
  }

  /** One planning pass; exported for tests that drive the scheduler with a manual clock. */
  async tick(): Promise<void> {
    const { store, clock, engine, events, logger } = this.deps;
    const batch = this.deps.claimBatch ?? DEFAULT_CLAIM_BATCH;
    try {
      await this.deps.calendars.refreshIfStale();
      for (;;) {
        await this.quietMoment();
        const limit = this.claimLimit(batch);
        const started = clock.now();
        const tasks = new Map<number, TaskRecord>();
        const runs = await store.claimDueTasks(
          { horizon: started + this.deps.lookaheadMs, limit },
          (task) => {
            tasks.set(task.id, task);
            const plan = planTask(task, {
              now: started,
              horizon: started + this.deps.lookaheadMs,
              owner: this.deps.nodeId,
              leaseExpiresAt: started + this.deps.leaseMs,
              calendar: this.deps.calendars.ruleFor(task),
            });
            if (plan.misfire) events.emit('scheduler:misfire', { taskId: task.id, ...plan.misfire });
            return plan;
          },
        );
        for (const run of runs) {
          const task = tasks.get(run.taskId)!;
          // Slots the misfire policy skipped are stored ended by the claim: only announced here.
          if (run.status === 'scheduled') engine.enqueue(run, task);
          else engine.settler.settled(run, false, task);
        }
        events.emit('scheduler:claimed', {
          tasks: tasks.size,
          runs: runs.length,
          durationMs: clock.now() - started,
        });
        this.learnClaimCost(tasks.size, clock.now() - started);
        if (tasks.size < limit || !this.running) break;
        // Let due timers and I/O run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await engine.retryWaiting();
    } catch (error) {
      logger.error({ err: error }, 'scheduler tick failed; retrying at the next poll');
    }
  }
}
