/**
 * The way from due to started: due runs pass the gate (budgets, provider pools), then admission
 * (the task's and the app's concurrency, the overlap policy); what passes is started, what must
 * wait waits here, oldest first, and is tried again when a run ends or a pool's pace allows.
 * Part of the run engine (run-engine.ts), which owns the planned and the live runs.
 */
import type { Logger } from 'pino';
import type { StartWrites } from './start-writes.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RunAbort } from '../job-types/job-type.js';
import { forEachInSlices } from '../runtime/loop-slices.js';
import type { AdmissionResult } from '../store/store.js';
import type { ActiveRun } from './active-run.js';
import type { Admission, AdmissionCandidate } from './admission.js';
import type { AppLimits } from './app-limits.js';
import { applyGate, byPriority, type RunGate } from './run-gate.js';
import type { RunLogSink } from './run-log-sink.js';
import type { RunSettler } from './run-settler.js';
import { whenTaskBusy } from './task-busy.js';
import type { TimerQueue } from './timer-queue.js';

/** Runs admitted together (a burst due at one instant) start in slices of this many ms of work. */
const START_SLICE_MS = 2;

export interface RunAdmitterDeps {
  clock: Clock;
  admission: Admission;
  gate: RunGate | undefined;
  logger: Logger;
  nodeId: string;
  leaseMs: number;
  appLimits: AppLimits;
  settler: RunSettler;
  logs: RunLogSink;
  /** The planned runs: a run a budget holds goes back there until the budget's next period. */
  timers: TimerQueue<AdmissionCandidate>;
  /** This node's live runs: overlap `replace` aborts its task's. */
  active: ReadonlyMap<number, ActiveRun>;
  /** What a start writes with the run: its job type's executions (start-writes.ts). */
  startWrites: StartWrites;
  /** Starts an admitted run. */
  start: (c: AdmissionCandidate, startedAt: number) => void;
}

export class RunAdmitter {
  /** Runs waiting for their task (overlap queue/replace), app or pool to have room, oldest first. */
  private readonly waiting: AdmissionCandidate[] = [];
  private accepting = true;
  /** Admission calls under way (see admit); close waits for them. */
  private readonly admissions = new Set<Promise<void>>();
  private recheckWaiting = false;
  /** Admissions starting their runs now (see starting). */
  private startingBatches = 0;
  /** Wakes the waiting runs when the earliest of them may pass its gate (a pool's pace). */
  private gateWake: { at: number; timer: TimerHandle } | undefined;

  constructor(private readonly deps: RunAdmitterDeps) {}

  /** Runs admitted together are being started (in slices, see START_SLICE_MS). */
  get starting(): boolean {
    return this.startingBatches > 0;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Runs waiting (queued) for a pool. */
  waitingForPool(poolId: number): number {
    return this.waiting.reduce((n, c) => (c.task.poolId === poolId ? n + 1 : n), 0);
  }

  /**
   * Admits due runs, the waiting ones first. Admission calls may overlap. A run finishing while
   * another call holds the waiting runs asks for a re-check once the calls in flight are over
   * (else a queued run waited for the next poll).
   */
  async admit(due: AdmissionCandidate[]): Promise<void> {
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

  /** Tries the waiting runs again (other nodes' runs may have finished). */
  retryWaiting(): Promise<void> {
    if (this.admissions.size > 0) {
      this.recheckWaiting = true;
      return Promise.resolve();
    }
    if (this.waiting.length === 0) return Promise.resolve();
    return this.admit([]);
  }

  /** Takes the waiting runs that match out of the wait. */
  removeWaiting(match: (c: AdmissionCandidate) => boolean): AdmissionCandidate[] {
    const removed = this.waiting.filter(match);
    if (removed.length > 0) {
      const kept = this.waiting.filter((c) => !match(c));
      this.waiting.splice(0, this.waiting.length, ...kept);
    }
    return removed;
  }

  /**
   * Stops admitting and forgets the waiting runs (they stay `scheduled` for whoever takes their
   * lease); resolves once the admissions under way have started what they admitted.
   */
  async close(): Promise<void> {
    this.accepting = false;
    this.gateWake?.timer.cancel();
    this.waiting.length = 0;
    await Promise.allSettled([...this.admissions]);
  }

  private async admitOnce(due: AdmissionCandidate[]): Promise<void> {
    if (!this.accepting) return;
    // Waiting runs go first, oldest first, so that a queue stays in order; then by priority.
    const now = this.deps.clock.now();
    const gated = applyGate(this.deps.gate, byPriority([...this.waiting.splice(0), ...due]), now);
    this.onGated(gated);
    const candidates = gated.go;
    for (const c of candidates) c.appMax = this.deps.appLimits.get(c.task.appId);
    let results;
    try {
      results = await this.deps.admission.admit(
        candidates,
        { startedAt: now, leaseOwner: this.deps.nodeId, leaseExpiresAt: now + this.deps.leaseMs },
        this.deps.startWrites,
      );
    } catch (error) {
      this.deps.logger.error({ err: error }, 'admission failed; runs wait for the next try');
      for (const c of candidates) this.deps.gate?.refund(c.run, now);
      this.waiting.unshift(...candidates);
      return;
    }
    candidates.forEach((c, i) => {
      if (results[i] !== 'started') this.deps.gate?.refund(c.run, now);
    });
    this.startingBatches++;
    try {
      await this.startAdmitted(candidates, results, now);
    } finally {
      this.startingBatches--;
    }
  }

  /**
   * Starts what admission let through, with a turn of the event loop after each START_SLICE_MS
   * (see forEachInSlices); once closing, the rest start at once, so a drain finds them running.
   */
  private startAdmitted(
    candidates: AdmissionCandidate[],
    results: AdmissionResult[],
    now: number,
  ): Promise<void> {
    const decide = (c: AdmissionCandidate, i: number): void => {
      switch (results[i]) {
        case 'started':
          this.deps.start(c, now);
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

  /** Runs the gate stopped: queued for a pool, held or skipped for a budget. */
  private onGated(gated: ReturnType<typeof applyGate<AdmissionCandidate>>): void {
    for (const { c, at } of gated.wait) {
      this.waiting.push(c);
      if (at !== null) this.wakeGateAt(at);
    }
    for (const { c, until, message } of gated.hold) {
      this.deps.logs.forRun(c.run.id)('system', message);
      this.deps.timers.push(until, c);
    }
    for (const { c, error } of gated.skip) {
      void this.deps.settler.end(
        c.run,
        c.task,
        'scheduled',
        { status: 'skipped', error, retryable: false },
        null,
      );
    }
  }

  private wakeGateAt(at: number): void {
    if (this.gateWake && this.gateWake.at <= at) return;
    this.gateWake?.timer.cancel();
    const timer = this.deps.clock.setTimer(() => {
      this.gateWake = undefined;
      void this.retryWaiting();
    }, at - this.deps.clock.now());
    this.gateWake = { at, timer };
  }

  private onTaskBusy(c: AdmissionCandidate): void {
    const busy = whenTaskBusy(c.run, c.task);
    if (busy.action === 'skip') {
      void this.deps.settler.end(
        c.run,
        c.task,
        'scheduled',
        { status: 'skipped', error: busy.error, retryable: false },
        null,
      );
      return;
    }
    if (busy.action === 'replace') {
      for (const a of this.deps.active.values()) {
        if (a.task.id === c.task.id) a.controller.abort({ kind: 'replace' } satisfies RunAbort);
      }
    }
    this.waiting.push(c);
  }
}
