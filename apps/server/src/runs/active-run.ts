/**
 * One run this node is executing: its job called with a signal, a real timeout, the rule that a
 * job ignoring its abort does not hold the run (ABORT_SETTLE_MS), and its end handed to the
 * settler exactly once. At shutdown a job may instead detach (JobDetached), leaving the run
 * `running` for the next start to resume.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { KairosError } from '../errors.js';
import { JobDetached } from '../job-types/job-type.js';
import type { JobContext, RunAbort } from '../job-types/job-type.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import type { ExecutionRecord } from '../store/executor-records.js';
import type { JobConfigs } from './job-configs.js';
import type { RunEventSink } from './run-event-sink.js';
import type { RunLogSink } from './run-log-sink.js';
import { abortOutcomeOf, failureOutcome, isRunAbort, successOutcome, withJobReport } from './run-outcome.js';
import type { RunOutcome } from './run-outcome.js';
import type { RunSettler } from './run-settler.js';
import type { OutputGateStep } from './output-gate-step.js';

/** After an abort, how long a job may take to settle before the run is finished without it. */
const ABORT_SETTLE_MS = 5000;

export interface ActiveRunDeps {
  store: Store;
  clock: Clock;
  jobTypes: JobTypeRegistry;
  configs: JobConfigs;
  logs: RunLogSink;
  runEvents: RunEventSink;
  settler: RunSettler;
  /** The output gate between a job's success and the run's end (absent: none). */
  gates?: OutputGateStep | undefined;
}

/** How a resumed run continues: its job's checkpoint and the last event stored. */
export interface Resumed {
  checkpoint: unknown;
  lastSeq: number;
}

export class ActiveRun {
  readonly run: RunRecord;
  readonly controller = new AbortController();
  /** Resolves once the run's end is stored (or it detached). */
  readonly settled: Promise<void>;
  private resolveSettled!: () => void;
  private finished = false;
  /** When the job made its first outside effect (JobContext.effect). */
  private effectAt: number | null = null;
  private readonly timers: TimerHandle[] = [];

  constructor(
    private readonly deps: ActiveRunDeps,
    run: RunRecord,
    readonly task: TaskRecord,
    readonly startedAt: number,
    /** Called once the run is over here: `ended` false when it detached (still running). */
    private readonly onOver: (ended: boolean) => void,
  ) {
    this.run = { ...run, status: 'running', startedAt };
    this.settled = new Promise<void>((resolve) => (this.resolveSettled = resolve));
  }

  abort(reason: RunAbort): void {
    this.controller.abort(reason);
  }

  /**
   * Calls the job (or resumes it), with its timeout counted from startedAt; `executions`: those
   * written with the run's start, handed to the job.
   */
  begin(resumed?: Resumed, executions?: readonly ExecutionRecord[]): void {
    const { run, task, controller } = this;
    let promise: Promise<unknown>;
    try {
      const jobType = this.deps.jobTypes.get(task.type);
      if (!jobType) throw new KairosError('UNKNOWN_JOB_TYPE', `no job type "${task.type}" is installed`);
      const context: JobContext<unknown> = {
        runId: run.id,
        taskId: task.id,
        appId: task.appId,
        namespaceId: task.namespaceId,
        attempt: run.attempt,
        config: this.deps.configs.configOf(jobType, task),
        input: run.input,
        versionPin: run.versionPin ?? null,
        signal: controller.signal,
        log: this.deps.logs.forRun(run.id),
        event: this.deps.runEvents.forRun(run.id, resumed?.lastSeq ?? 0),
        checkpoint: (value) => this.deps.store.setRunCheckpoint(run.id, value),
        effect: () => void (this.effectAt ??= this.deps.clock.now()),
        ...(executions ? { executions } : {}),
      };
      if (!resumed) promise = jobType.run(context);
      else if (jobType.resume) promise = jobType.resume(context, resumed.checkpoint);
      else {
        return this.end({
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
      const remaining = task.timeoutSeconds * 1000 - (this.deps.clock.now() - this.startedAt);
      this.timers.push(
        this.deps.clock.setTimer(() => controller.abort({ kind: 'timeout' } satisfies RunAbort), remaining),
      );
    }
    controller.signal.addEventListener('abort', () => {
      // A job that ignores its signal does not hold the run: it ends without it.
      this.timers.push(this.deps.clock.setTimer(() => this.end(this.aborted()), ABORT_SETTLE_MS));
    });
    promise.then(
      (outcome) => {
        if (controller.signal.aborted) return this.end(withJobReport(this.aborted(), outcome));
        this.gateAndEnd(successOutcome(outcome), outcome);
      },
      (error: unknown) => {
        if (error instanceof JobDetached && isRunAbort(controller.signal.reason)) {
          if (controller.signal.reason.kind === 'shutdown') return this.detach();
        }
        this.end(controller.signal.aborted ? withJobReport(this.aborted(), error) : failureOutcome(error));
      },
    );
  }

  /** A success goes through the task's output gate, if any, before it ends the run. */
  private gateAndEnd(success: RunOutcome, report: unknown): void {
    const gates = this.deps.gates;
    if (!gates?.applies(this.task, success)) return this.end(success);
    const { signal } = this.controller;
    gates.apply(this.run, this.task, success, signal).then(
      (gated) => this.end(signal.aborted ? withJobReport(this.aborted(), report) : gated),
      (error: unknown) =>
        this.end(signal.aborted ? withJobReport(this.aborted(), report) : failureOutcome(error)),
    );
  }

  private aborted(): RunOutcome {
    return abortOutcomeOf(this.controller.signal, this.task.timeoutSeconds);
  }

  private end(outcome: RunOutcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) t.cancel();
    const ended = { ...outcome, effectAt: this.effectAt };
    void this.deps.settler.end(this.run, this.task, 'running', ended, this.startedAt).then(() => {
      this.deps.runEvents.close(this.run.id);
      this.onOver(true);
      this.resolveSettled();
    });
  }

  private detach(): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) t.cancel();
    this.deps.logs.close(this.run.id);
    this.deps.runEvents.close(this.run.id);
    this.onOver(false);
    this.resolveSettled();
  }
}
