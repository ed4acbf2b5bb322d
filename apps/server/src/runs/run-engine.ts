/**
 * The run engine: releases due runs at their instant, admits them under the concurrency limits,
 * runs them through their job type with a real timeout, and finishes them. It owns only this
 * node's live runs; everything it decides is persisted before it is announced on the event bus.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import { JobDetached } from '../job-types/job-type.js';
import type { JobContext, RunAbort } from '../job-types/job-type.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import { TimerQueue } from '../scheduler/timer-queue.js';
import { forEachInSlices } from '../services/loop-slices.js';
import type { ResumableRun, RunRecord, TaskRecord } from '../store/records.js';
import type { AdmissionResult, Store } from '../store/store.js';
import type { Admission, AdmissionCandidate } from './admission.js';
import { AppLimits } from './app-limits.js';
import { RunLogSink } from './run-log-sink.js';
import { JobConfigs } from './job-configs.js';
import { RunEventSink } from './run-event-sink.js';
import { abortOutcomeOf, failureOutcome, isRunAbort, successOutcome, withJobReport } from './run-outcome.js';
import type { RunOutcome } from './run-outcome.js';
import { RunFinisher } from './run-finisher.js';
import type { RunWriter } from './run-writer.js';

/** After an abort, how long a job may take to settle before the run is finished without it. */
const ABORT_SETTLE_MS = 5000;
/** Runs admitted together (a burst due at one instant) start in slices of this many ms of work. */
const START_SLICE_MS = 2;

export interface RunEngineDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  jobTypes: JobTypeRegistry;
  writer: RunWriter;
  admission: Admission;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
  /** false with a fake clock (see TimerQueue). */
  fineGrainedTimers?: boolean;
}

interface ActiveRun {
  run: RunRecord;
  task: TaskRecord;
  startedAt: number;
  controller: AbortController;
  settled: Promise<void>;
  finished: boolean;
  timers: TimerHandle[];
}

export class RunEngine {
  private readonly timers: TimerQueue<AdmissionCandidate>;
  private readonly active = new Map<number, ActiveRun>();
  /** Runs waiting for their task (overlap queue/replace) or app to have room, oldest first. */
  private readonly waiting: AdmissionCandidate[] = [];
  private readonly appLimits: AppLimits;
  private readonly logs: RunLogSink;
  /** Run events: stored through the writer and published to live watchers (GET /runs/{id}/stream). */
  readonly runEvents: RunEventSink;
  private accepting = true;
  /** Admission calls under way (see admit); drain waits for them. */
  private readonly admissions = new Set<Promise<void>>();
  private recheckWaiting = false;
  /** Admissions starting their runs now (see msUntilBusy). */
  private startingBatches = 0;
  private readonly configs: JobConfigs;
  private readonly finisher: RunFinisher;

  constructor(private readonly deps: RunEngineDeps) {
    this.timers = new TimerQueue(deps.clock, (due) => void this.admit(due), deps.fineGrainedTimers ?? true);
    this.appLimits = new AppLimits(deps.store, deps.clock);
    this.logs = new RunLogSink(deps.writer, deps.clock);
    this.finisher = new RunFinisher({ ...deps, logs: this.logs });
    this.runEvents = new RunEventSink(deps.writer, deps.clock);
    this.configs = new JobConfigs(deps.jobTypes);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** When the next planned run is released (Infinity: none). */
  get nextReleaseAt(): number {
    return this.timers.nextAt;
  }

  /**
   * How soon the engine wants the event loop to itself, in ms, for background work to keep out
   * of the way (EventLoopShare.keepClearBefore): 0 while runs admitted together are being started
   * (in slices, see START_SLICE_MS), else until the next planned release.
   */
  msUntilBusy(): number {
    return this.startingBatches > 0 ? 0 : this.timers.nextAt - this.deps.clock.now();
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Holds a scheduled run until its instant. */
  enqueue(run: RunRecord, task: TaskRecord): void {
    if (!this.accepting) return;
    this.deps.events.emit('run:scheduled', { run });
    void this.appLimits.prefetch(task.appId);
    this.configs.warm(task, run.scheduledAt - this.deps.clock.now());
    this.timers.push(run.scheduledAt, { run, task, appMax: null });
  }

  /** Triggers a run now (manual or API). With an idempotency key, a repeat returns the first run. */
  async trigger(
    task: TaskRecord,
    options: { input: unknown; triggerType: 'manual' | 'api'; idempotencyKey?: string | undefined },
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (!this.accepting)
      throw new KairosError('SHUTTING_DOWN', 'the server is shutting down; try another node or later');
    const now = this.deps.clock.now();
    const result = await this.deps.store.insertRun({
      taskId: task.id,
      appId: task.appId,
      namespaceId: task.namespaceId,
      triggerType: options.triggerType,
      status: 'scheduled',
      slotAt: null,
      scheduledAt: now,
      attempt: 1,
      retryOf: null,
      input: options.input ?? null,
      idempotencyKey: options.idempotencyKey ?? null,
      leaseOwner: this.deps.nodeId,
      leaseExpiresAt: now + this.deps.leaseMs,
    });
    if (result.created) {
      await this.appLimits.prefetch(task.appId);
      this.enqueue(result.run, task);
    }
    return result;
  }

  /**
   * Cancels a run: a scheduled or waiting one is finished at once; a running one here is aborted;
   * a running one on another node is flagged and that node aborts it on its next lease tick.
   */
  async cancel(runId: number): Promise<RunRecord> {
    const now = this.deps.clock.now();
    const local = this.active.get(runId);
    if (local) {
      local.controller.abort({ kind: 'cancel' } satisfies RunAbort);
      await local.settled;
      return (await this.deps.store.getRun(runId))!;
    }
    const before = await this.deps.store.getRun(runId);
    if (!before) throw new KairosError('RUN_NOT_FOUND', `run ${runId} does not exist`);
    if (before.status !== 'scheduled' && before.status !== 'running') {
      throw new KairosError('RUN_ALREADY_FINISHED', `run ${runId} has already finished (${before.status})`);
    }
    await this.deps.writer.flush();
    const after = await this.deps.store.requestCancel(runId, now);
    if (after && after.status === 'cancelled') {
      this.timers.remove((c) => c.run.id === runId);
      this.removeWaiting((c) => c.run.id === runId);
      this.finisher.announce(after, false);
    } else if (after?.status === 'running') this.deps.events.emit('run:cancel_requested', { run: after });
    return after ?? before;
  }

  /** Takes over runs recovered from a dead node's expired lease. */
  async adopt(runs: RunRecord[]): Promise<void> {
    for (const run of runs) {
      const task = await this.deps.store.getTask(run.taskId);
      if (task) this.enqueue(run, task);
    }
  }

  /**
   * Continues running runs that recovery took over with their checkpoint (see
   * Store.adoptResumableRuns), through their job type's `resume`; a type without one, or a run
   * whose task is gone, ends `lost` as recovery would have finished it.
   */
  async resume(runs: ResumableRun[]): Promise<void> {
    for (const { run, checkpoint } of runs) {
      const task = await this.deps.store.getTask(run.taskId);
      if (!task) continue; // deleted: its runs went with it
      const lastSeq = await this.deps.store.lastRunEventSeq(run.id);
      this.start({ run, task, appMax: null }, run.startedAt ?? this.deps.clock.now(), {
        checkpoint,
        lastSeq,
      });
    }
  }

  /** Announces runs that recovery finished as `lost`, so retries and alerts react. */
  reportLost(runs: RunRecord[]): void {
    for (const run of runs) this.finisher.announce(run, true);
  }

  /** Aborts local runs whose cancel another node recorded (cluster). */
  abortLocal(runIds: number[], abort: RunAbort): void {
    for (const id of runIds) this.active.get(id)?.controller.abort(abort);
  }

  /** Drops this node's planned and waiting runs of a task (it was disabled or deleted). */
  forgetTask(taskId: number): RunRecord[] {
    const dropped = this.timers.remove((c) => c.task.id === taskId);
    dropped.push(...this.removeWaiting((c) => c.task.id === taskId));
    return dropped.map((c) => c.run);
  }

  /** Tries the waiting runs again (other nodes' runs may have finished). */
  retryWaiting(): Promise<void> {
    if (this.admissions.size > 0) {
      this.recheckWaiting = true;
      return Promise.resolve();
    }
    if (this.waiting.length === 0) return Promise.resolve();
    return this.admit([]);
  }

  /**
   * Stops taking work, lets running runs finish within the grace period, then aborts the rest and
   * waits for them to be recorded. Planned runs stay `scheduled` for whoever takes their lease.
   */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    this.timers.stop();
    this.waiting.length = 0;
    // Runs admitted already are started (without further turns, see startAdmitted) and drained too.
    await Promise.allSettled([...this.admissions]);
    const settledAll = () => Promise.all([...this.active.values()].map((a) => a.settled));
    if (this.active.size > 0) {
      let timer: TimerHandle | undefined;
      await Promise.race([
        settledAll(),
        new Promise<void>((r) => (timer = this.deps.clock.setTimer(r, graceMs))),
      ]);
      timer?.cancel();
      for (const a of this.active.values()) a.controller.abort({ kind: 'shutdown' } satisfies RunAbort);
      await settledAll();
    }
    await this.deps.writer.flush();
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Admission calls may overlap. A run finishing while another call holds the waiting runs asks
   * for a re-check once the calls in flight are over (else a queued run waited for the next poll).
   */
  private async admit(due: AdmissionCandidate[]): Promise<void> {
    const admission = this.admitOnce(due);
    this.admissions.add(admission);
    try {
      await admission;
    } finally {
      this.admissions.delete(admission);
      if (this.admissions.size === 0 && this.recheckWaiting) {
        this.recheckWaiting = false;
        void this.retryWaiting();
      }
    }
  }

  private async admitOnce(due: AdmissionCandidate[]): Promise<void> {
    if (!this.accepting) return;
    // Waiting runs go first, oldest first, so that a queue stays in order.
    const candidates = [...this.waiting.splice(0), ...due];
    for (const c of candidates) c.appMax = this.appLimits.get(c.task.appId);
    const now = this.deps.clock.now();
    let results;
    try {
      results = await this.deps.admission.admit(candidates, {
        startedAt: now,
        leaseOwner: this.deps.nodeId,
        leaseExpiresAt: now + this.deps.leaseMs,
      });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'admission failed; runs wait for the next try');
      this.waiting.unshift(...candidates);
      return;
    }
    this.startingBatches++;
    try {
      await this.startAdmitted(candidates, results, now);
    } finally {
      this.startingBatches--;
    }
  }

  /**
   * Starts what admission let through, with a turn of the event loop after each START_SLICE_MS
   * (see forEachInSlices); once draining, the rest start at once, so drain finds them running.
   */
  private startAdmitted(
    candidates: AdmissionCandidate[],
    results: AdmissionResult[],
    now: number,
  ): Promise<void> {
    const decide = (c: AdmissionCandidate, i: number): void => {
      switch (results[i]) {
        case 'started':
          this.start(c, now);
          break;
        case 'task_busy':
          this.onTaskBusy(c);
          break;
        case 'app_busy':
          this.waiting.push(c);
          break;
        default:
          // gone: cancelled or taken meanwhile.
          break;
      }
    };
    return forEachInSlices(candidates, decide, { sliceMs: START_SLICE_MS, mayPause: () => this.accepting });
  }

  private onTaskBusy(c: AdmissionCandidate): void {
    switch (c.task.concurrency.overlap) {
      case 'queue':
        this.waiting.push(c);
        return;
      case 'replace':
        for (const a of this.active.values()) {
          if (a.task.id === c.task.id) a.controller.abort({ kind: 'replace' } satisfies RunAbort);
        }
        this.waiting.push(c);
        return;
      default: {
        const error = {
          type: 'overlap',
          message: `skipped: ${c.task.concurrency.max} run(s) of this task already running (concurrency.max ${c.task.concurrency.max}, overlap skip)`,
        };
        void this.finisher.finish(c.run, { status: 'skipped', error, retryable: false }, null, c.task);
      }
    }
  }

  private start(
    c: AdmissionCandidate,
    startedAt: number,
    resumed?: { checkpoint: unknown; lastSeq: number },
  ): void {
    const { run, task } = c;
    const controller = new AbortController();
    let resolveSettled!: () => void;
    const active: ActiveRun = {
      run: { ...run, status: 'running', startedAt },
      task,
      startedAt,
      controller,
      settled: new Promise<void>((r) => (resolveSettled = r)),
      finished: false,
      timers: [],
    };
    this.active.set(run.id, active);
    if (!resumed) this.deps.events.emit('run:started', { run: active.run });

    const aborted = (): RunOutcome => abortOutcomeOf(controller.signal, task.timeoutSeconds);
    const end = (outcome: RunOutcome): void => {
      if (active.finished) return;
      active.finished = true;
      for (const t of active.timers) t.cancel();
      void this.finisher.finish(active.run, outcome, startedAt, task).then(() => {
        this.runEvents.close(run.id);
        this.active.delete(run.id);
        this.deps.admission.released(run);
        resolveSettled();
        void this.retryWaiting();
      });
    };

    // At shutdown a job may leave its run `running` for the next start to resume (JobDetached).
    const detach = (): void => {
      if (active.finished) return;
      active.finished = true;
      for (const t of active.timers) t.cancel();
      this.logs.close(run.id);
      this.runEvents.close(run.id);
      this.active.delete(run.id);
      resolveSettled();
    };

    let promise: Promise<unknown>;
    try {
      const jobType = this.deps.jobTypes.get(task.type);
      if (!jobType) throw new KairosError('UNKNOWN_JOB_TYPE', `no job type "${task.type}" is installed`);
      const context: JobContext<unknown> = {
        runId: run.id,
        taskId: task.id,
        attempt: run.attempt,
        config: this.configs.configOf(jobType, task),
        input: run.input,
        signal: controller.signal,
        log: this.logs.forRun(run.id),
        event: this.runEvents.forRun(run.id, resumed?.lastSeq ?? 0),
        checkpoint: (value) => this.deps.store.setRunCheckpoint(run.id, value),
      };
      if (!resumed) promise = jobType.run(context);
      else if (jobType.resume) promise = jobType.resume(context, resumed.checkpoint);
      else {
        return end({
          status: 'lost',
          error: { type: 'lost', message: `job type "${task.type}" cannot resume a run after a restart` },
          retryable: true,
        });
      }
    } catch (error) {
      promise = Promise.reject(error);
    }
    // Set up once the job has started (a Dify run has issued its request by now): nothing can
    // abort the run in between, and the timeout still counts from startedAt.
    if (task.timeoutSeconds !== null) {
      const remaining = task.timeoutSeconds * 1000 - (this.deps.clock.now() - startedAt);
      active.timers.push(
        this.deps.clock.setTimer(() => controller.abort({ kind: 'timeout' } satisfies RunAbort), remaining),
      );
    }
    controller.signal.addEventListener('abort', () => {
      // A job that ignores its signal does not hold the run: it ends without it.
      active.timers.push(this.deps.clock.setTimer(() => end(aborted()), ABORT_SETTLE_MS));
    });
    promise.then(
      (outcome) => {
        if (controller.signal.aborted) return end(withJobReport(aborted(), outcome));
        end(successOutcome(outcome));
      },
      (error: unknown) => {
        if (error instanceof JobDetached && isRunAbort(controller.signal.reason)) {
          if (controller.signal.reason.kind === 'shutdown') return detach();
        }
        end(controller.signal.aborted ? withJobReport(aborted(), error) : failureOutcome(error));
      },
    );
  }

  private removeWaiting(match: (c: AdmissionCandidate) => boolean): AdmissionCandidate[] {
    const removed = this.waiting.filter(match);
    if (removed.length > 0) {
      const kept = this.waiting.filter((c) => !match(c));
      this.waiting.splice(0, this.waiting.length, ...kept);
    }
    return removed;
  }
}
