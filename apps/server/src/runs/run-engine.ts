/**
 * The run engine: releases due runs at their instant, admits them under the concurrency limits
 * (run-admitter.ts), runs them through their job type with a real timeout, and finishes them. It
 * owns only this node's live runs; everything it decides is persisted before it is announced on
 * the event bus.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { RunAbort } from '../job-types/job-type.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import { TimerQueue } from './timer-queue.js';
import type { ResumableRun, RunRecord, TaskRecord } from '../store/records.js';
import type { RecoveryResult, Store } from '../store/store.js';
import type { Admission, AdmissionCandidate } from './admission.js';
import { AppLimits } from './app-limits.js';
import { RunLogSink } from './run-log-sink.js';
import { JobConfigs } from './job-configs.js';
import { RunEventSink } from './run-event-sink.js';
import { ActiveRun, type ActiveRunDeps, type Resumed } from './active-run.js';
import { RunSettler, type AlertRuleSource } from './run-settler.js';
import type { RunWriter } from './run-writer.js';
import { JudgeRuns } from './judge-runs.js';
import { OutputGateStep } from './output-gate-step.js';
import type { RunGate } from './run-gate.js';
import { RunAdmitter } from './run-admitter.js';
import { TriggerBatcher, type TaskTrigger, type Triggered } from './trigger-batcher.js';
import { triggeredRun, type Trigger } from './triggered-run.js';
import { startWritesOf } from './start-writes.js';
import type { WorkflowDecisions } from '../workflows/workflow-decisions.js';

export type { Trigger };

const CANCELLED_BEFORE_START = { type: 'cancelled', message: 'cancelled before it started' };

export interface RunEngineDeps {
  /** Workflows' JSONata (a node run's settlement decides what follows when it can). */
  workflowDecisions?: WorkflowDecisions | undefined;
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
  /** A run's end set its fixed-delay task's next fire: the scheduler should plan it. */
  onNextFire?: () => void;
  /** The alert rules watching runs; absent: run ends raise no alerts. */
  alertRules?: AlertRuleSource | undefined;
  /** A run's end wrote alert deliveries: the delivery worker should look. */
  onAlerts?: () => void;
  /** Budgets and provider pools (pacing/); absent: every due run goes to admission. */
  gate?: RunGate | undefined;
}

export class RunEngine {
  private readonly timers: TimerQueue<AdmissionCandidate>;
  private readonly active = new Map<number, ActiveRun>();
  /** Due runs on their way to start, and those waiting for room. */
  private readonly admitter: RunAdmitter;
  private readonly appLimits: AppLimits;
  private readonly logs: RunLogSink;
  /** Run events: stored through the writer and published to live watchers (GET /runs/{id}/stream). */
  readonly runEvents: RunEventSink;
  private accepting = true;
  private readonly configs: JobConfigs;
  private readonly runDeps: ActiveRunDeps;
  /** The one owner of a run's end (see run-settler.ts). */
  readonly settler: RunSettler;
  /** Single triggers of one turn stored together. */
  private readonly triggers = new TriggerBatcher(
    (triggers) => this.storeTriggered(triggers),
    (triggers, results) => this.holdTriggered(triggers, results),
  );

  constructor(private readonly deps: RunEngineDeps) {
    this.timers = new TimerQueue(
      deps.clock,
      (due) => void this.admitter.admit(due),
      deps.fineGrainedTimers ?? true,
    );
    this.appLimits = new AppLimits(deps.store, deps.clock);
    this.logs = new RunLogSink(deps.writer, deps.clock);
    this.settler = new RunSettler({
      clock: deps.clock,
      events: deps.events,
      writer: deps.writer,
      logs: this.logs,
      owner: deps.nodeId,
      leaseMs: deps.leaseMs,
      workflowDecisions: deps.workflowDecisions,
      onRetry: (retry, task) => this.enqueue(retry, task),
      onNextFire: () => deps.onNextFire?.(),
      alertRules: deps.alertRules,
      onAlerts: () => deps.onAlerts?.(),
      onSuccessors: (runs) => void this.enqueueStored(runs),
      onAlertError: (error, runId) =>
        deps.logger.error(
          { err: error, runId },
          'deciding the alerts of a run failed; it settles without them',
        ),
    });
    this.runEvents = new RunEventSink(deps.writer, deps.clock, deps.gate && ((e) => deps.gate!.event(e)));
    this.configs = new JobConfigs(deps.jobTypes);
    const judges = new JudgeRuns({
      store: deps.store,
      events: deps.events,
      trigger: (task, trigger) => this.trigger(task, trigger),
      cancel: (runId) => this.cancel(runId),
    });
    this.runDeps = {
      ...deps,
      configs: this.configs,
      logs: this.logs,
      runEvents: this.runEvents,
      settler: this.settler,
      gates: new OutputGateStep({ store: deps.store, jobTypes: deps.jobTypes, judges }),
    };
    this.admitter = new RunAdmitter({
      clock: deps.clock,
      admission: deps.admission,
      gate: deps.gate,
      logger: deps.logger,
      nodeId: deps.nodeId,
      leaseMs: deps.leaseMs,
      appLimits: this.appLimits,
      settler: this.settler,
      logs: this.logs,
      timers: this.timers,
      active: this.active,
      startWrites: startWritesOf(deps.jobTypes, this.configs),
      start: (c, startedAt) => this.start(c, startedAt),
    });
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
   * (in slices, see RunAdmitter), else until the next planned release.
   */
  msUntilBusy(): number {
    return this.admitter.starting ? 0 : this.timers.nextAt - this.deps.clock.now();
  }

  get waitingCount(): number {
    return this.admitter.waitingCount;
  }

  /** Runs of this node waiting (queued) for a pool. */
  waitingForPool(poolId: number): number {
    return this.admitter.waitingForPool(poolId);
  }

  /** Aborts this node's live runs that match (a budget used up with stopWhenExceeded). */
  abortWhere(match: (run: RunRecord) => boolean, abort: RunAbort): number[] {
    const hit = [...this.active.values()].filter((a) => match(a.run));
    for (const a of hit) a.controller.abort(abort);
    return hit.map((a) => a.run.id);
  }

  /** Holds a scheduled run until its instant. */
  enqueue(run: RunRecord, task: TaskRecord): void {
    if (!this.accepting) return;
    this.deps.events.emit('run:scheduled', { run });
    void this.appLimits.prefetch(task.appId);
    void this.deps.gate?.prefetch(task);
    this.configs.warm(task, run.scheduledAt - this.deps.clock.now());
    this.timers.push(run.scheduledAt, { run, task, appMax: null });
  }

  /**
   * Holds runs stored by others than this engine (child tasks' runs, workflow node runs), leased
   * to this node, until their instant. A run whose task is gone is left: it went with it.
   */
  async enqueueStored(runs: readonly RunRecord[]): Promise<void> {
    // One read for all their tasks, then all held in the same turn: runs stored together (a
    // node's fan-out, its successors) are released, admitted and started together.
    const tasks = new Map(
      (await this.deps.store.getTasks([...new Set(runs.map((r) => r.taskId))])).map((t) => [t.id, t]),
    );
    for (const run of runs) {
      const task = tasks.get(run.taskId);
      if (task) this.enqueue(run, task);
    }
  }

  /**
   * Triggers a run now (manual or API), stored with the others of the same turn (trigger-batcher.ts).
   * With an idempotency key, a repeat returns the first run.
   */
  trigger(task: TaskRecord, trigger: Trigger): Promise<{ run: RunRecord; created: boolean }> {
    return this.triggers.trigger({ task, ...trigger });
  }

  /**
   * Triggers runs now, stored in one transaction (POST /runs/batch), in order. A repeated
   * idempotency key returns the first run.
   */
  async triggerMany(triggers: TaskTrigger[]): Promise<Triggered[]> {
    const results = await this.storeTriggered(triggers);
    await this.holdTriggered(triggers, results);
    return results;
  }

  /** Stores triggered runs in one transaction, nothing else (TriggerBatcher's first step). */
  private storeTriggered(triggers: TaskTrigger[]): Promise<Triggered[]> {
    if (!this.accepting)
      throw new KairosError('SHUTTING_DOWN', 'the server is shutting down; try another node or later');
    const now = this.deps.clock.now();
    return this.deps.store.insertRuns(
      triggers.map((t) => triggeredRun(t, now, this.deps.nodeId, this.deps.leaseMs)),
    );
  }

  /** Holds the runs that stored triggers created until their instant (they are due now). */
  private async holdTriggered(triggers: TaskTrigger[], results: Triggered[]): Promise<void> {
    const created = triggers.filter((_, i) => results[i]!.created);
    await Promise.all([
      ...[...new Set(created.map((t) => t.task.appId))].map((appId) => this.appLimits.prefetch(appId)),
      ...(this.deps.gate
        ? [...new Set(created.map((t) => t.task))].map((task) => this.deps.gate!.prefetch(task))
        : []),
    ]);
    triggers.forEach((t, i) => {
      if (results[i]!.created) this.enqueue(results[i]!.run, t.task);
    });
  }

  /**
   * Cancels a run: a scheduled or waiting one is settled `cancelled` at once; a running one here
   * is aborted; a running one on another node is flagged and that node aborts it.
   */
  async cancel(runId: number): Promise<RunRecord> {
    const local = this.active.get(runId);
    if (local) return this.abortAndWait(local);
    const before = await this.deps.store.getRun(runId);
    if (!before) throw new KairosError('RUN_NOT_FOUND', `run ${runId} does not exist`);
    if (before.status !== 'scheduled' && before.status !== 'running') {
      throw new KairosError('RUN_ALREADY_FINISHED', `run ${runId} has already finished (${before.status})`);
    }
    if (before.status === 'scheduled') {
      const held = this.timers.remove((c) => c.run.id === runId);
      held.push(...this.admitter.removeWaiting((c) => c.run.id === runId));
      const task = held[0]?.task ?? (await this.deps.store.getTask(before.taskId));
      const cancelled = { status: 'cancelled', error: CANCELLED_BEFORE_START, retryable: false } as const;
      if (await this.settler.end(before, task, 'scheduled', cancelled, null)) {
        return (await this.deps.store.getRun(runId)) ?? before;
      }
    }
    // Running (or started since we looked): the node that runs it aborts it.
    const after = await this.deps.store.requestCancel(runId, this.deps.clock.now());
    const startedHere = this.active.get(runId);
    if (startedHere) return this.abortAndWait(startedHere);
    if (after?.status === 'running') this.deps.events.emit('run:cancel_requested', { run: after });
    return after ?? before;
  }

  /**
   * Settles `cancelled` this node's planned runs of a task whose schedule changed or that was
   * disabled: slots of the old schedule must not fire. Runs due by API or retry are kept.
   */
  async cancelPlanned(taskId: number, why: string): Promise<void> {
    const dropped = this.forgetTask(taskId);
    const error = { type: 'cancelled', message: `cancelled before it started: ${why}` };
    await Promise.all(
      dropped.map((c) => {
        if (c.run.slotAt === null) {
          this.timers.push(c.run.scheduledAt, c);
          return Promise.resolve(false);
        }
        return this.settler.end(
          c.run,
          c.task,
          'scheduled',
          { status: 'cancelled', error, retryable: false },
          null,
        );
      }),
    );
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

  /**
   * After recovery settled runs as `lost` (with their retries, in its transaction): they stop
   * counting against concurrency, their retries are held, and the loss is announced.
   */
  async reportLost(lost: RecoveryResult['lost']): Promise<void> {
    for (const { run, retry, deliveries, successors } of lost) {
      this.deps.admission.released(run);
      const task = retry ? await this.deps.store.getTask(run.taskId) : undefined;
      this.settler.settled(run, true, task, retry, true, deliveries ?? 0, successors);
    }
  }

  /** Aborts local runs whose cancel another node recorded (cluster). */
  abortLocal(runIds: number[], abort: RunAbort): void {
    for (const id of runIds) this.active.get(id)?.controller.abort(abort);
  }

  /** Drops this node's planned and waiting runs of a task (it was disabled or deleted). */
  forgetTask(taskId: number): AdmissionCandidate[] {
    const dropped = this.timers.remove((c) => c.task.id === taskId);
    dropped.push(...this.admitter.removeWaiting((c) => c.task.id === taskId));
    return dropped;
  }

  /** Tries the waiting runs again (other nodes' runs may have finished). */
  retryWaiting(): Promise<void> {
    return this.admitter.retryWaiting();
  }

  /**
   * Stops taking work, lets running runs finish within the grace period, then aborts the rest and
   * waits for them to be recorded. Planned runs stay `scheduled` for whoever takes their lease.
   */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    this.timers.stop();
    // Runs admitted already are started (without further turns, see RunAdmitter) and drained too.
    await this.admitter.close();
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

  private start(c: AdmissionCandidate, startedAt: number, resumed?: Resumed): void {
    const { run, task } = c;
    const active = new ActiveRun(this.runDeps, run, task, startedAt, (ended) => {
      this.active.delete(run.id);
      this.deps.gate?.released(run);
      if (!ended) return;
      this.deps.admission.released(run);
      void this.retryWaiting();
    });
    this.active.set(run.id, active);
    this.deps.gate?.watch(run, task);
    if (!resumed) this.deps.events.emit('run:started', { run: active.run });
    active.begin(resumed, c.executions);
  }

  private async abortAndWait(active: ActiveRun): Promise<RunRecord> {
    active.abort({ kind: 'cancel' });
    await active.settled;
    return (await this.deps.store.getRun(active.run.id))!;
  }
}
