/**
 * The one owner of a run's end. Every way a run ends (its job settled, skipped by the overlap
 * policy, cancelled before it started, lost with its node) comes here: the end and what follows
 * it are decided by decideSettlement, applied by the store in one transaction (through the
 * write-behind writer, batched), and only then announced on the event bus, the same way for all.
 * The retry run, a fixed-delay task's next fire and the alerts are part of that transaction, not
 * reactions to the announcement: the bus only observes.
 */
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { AlertRuleRecord } from '../store/alert-records.js';
import type { RunRecord, TaskRecord } from '../store/records.js';
import { withEnd } from '../store/records.js';
import type { RunEnd, Settlement } from '../store/store.js';
import type { RunLogSink } from './run-log-sink.js';
import type { RunOutcome } from './run-outcome.js';
import { decideSettlement, type SettleContext } from './settlement.js';
import type { RunWriter } from './run-writer.js';

export interface RunSettlerDeps extends SettleContext {
  clock: Clock;
  events: EventBus;
  writer: RunWriter;
  logs: RunLogSink;
  /** A retry run was stored, leased to this node: hold it until its instant. */
  onRetry: (retry: RunRecord, task: TaskRecord) => void;
  /** A settlement set a fixed-delay task's next fire (the scheduler plans it). */
  onNextFire: () => void;
  /** The alert rules watching runs (alerts/alert-rule-cache.ts); absent: no alerts. */
  alertRules?: AlertRuleSource | undefined;
  /** A settlement wrote alert deliveries (wakes the delivery worker). */
  onAlerts?: (() => void) | undefined;
  /** A settlement inserted runs of its successors (child tasks' runs), leased to this node. */
  onSuccessors?: ((runs: RunRecord[]) => void) | undefined;
}

/** The rules that watch a run, from memory. */
export interface AlertRuleSource {
  /** Current rules (read again when the memory is stale). */
  rulesFor(run: RunRecord): Promise<AlertRuleRecord[]>;
  /** The rules as last read, whatever their age (for decisions made inside a transaction). */
  known(run: RunRecord): AlertRuleRecord[];
  /** Reads the rules again if the memory is stale. */
  refresh(): Promise<void>;
}

export class RunSettler {
  constructor(private readonly deps: RunSettlerDeps) {}

  /**
   * Ends a run this node holds: `expected` is the status it must still have (`running` for a
   * started run, `scheduled` for one that never started). Resolves true when this call ended it
   * (false: someone else ended or started it first, and nothing was written).
   */
  async end(
    run: RunRecord,
    task: TaskRecord | undefined,
    expected: Settlement['expected'],
    outcome: RunOutcome & { effectAt?: number | null },
    startedAt: number | null,
  ): Promise<boolean> {
    const finishedAt = this.deps.clock.now();
    const end: RunEnd = {
      status: outcome.status,
      finishedAt,
      durationMs: startedAt === null ? null : finishedAt - startedAt,
      output: outcome.output ?? null,
      error: outcome.error,
      usage: outcome.usage ?? null,
      retryable: outcome.retryable,
      ...(outcome.executor !== undefined ? { executor: outcome.executor } : {}),
      ...(outcome.effectAt != null ? { effectAt: outcome.effectAt } : {}),
    };
    this.deps.logs.close(run.id);
    const rules = task && this.deps.alertRules ? await this.deps.alertRules.rulesFor(run) : [];
    const settlement = decideSettlement(run, task, expected, end, this.deps, rules);
    const { settled, retry, deliveries, successors } = await this.deps.writer.settle(settlement);
    if (settled) {
      const ended = withEnd(run, end);
      this.settled(
        ended,
        end.retryable,
        task,
        retry,
        settlement.nextFire !== null,
        deliveries ?? 0,
        successors,
      );
    }
    return settled;
  }

  /** Before recovery decides losses inside its transaction: the alert rules read if stale. */
  async prepareRecovery(): Promise<void> {
    await this.deps.alertRules?.refresh();
  }

  /** Recovery's decision for a running run whose node is gone: `lost`, retried by the task's policy. */
  decideLost(run: RunRecord, task: TaskRecord | undefined): Settlement {
    const end: RunEnd = {
      status: 'lost',
      finishedAt: this.deps.clock.now(),
      durationMs: null,
      error: { type: 'lost', message: 'its node stopped before the run finished (no live lease)' },
      retryable: true,
    };
    return decideSettlement(run, task, 'running', end, this.deps, this.deps.alertRules?.known(run) ?? []);
  }

  /**
   * After a settlement is stored (here, by recovery, or by the claim for runs it inserted already
   * `skipped`): the retry is held, the scheduler told, and the end announced.
   */
  settled(
    run: RunRecord,
    retryable: boolean,
    task: TaskRecord | undefined,
    retry: RunRecord | null = null,
    nextFire = false,
    deliveries = 0,
    successors: RunRecord[] = [],
  ): void {
    if (retry && task) this.deps.onRetry(retry, task);
    if (successors.length > 0) this.deps.onSuccessors?.(successors);
    if (nextFire) this.deps.onNextFire();
    if (deliveries > 0) this.deps.onAlerts?.();
    this.deps.events.emit('run:finished', task ? { run, retryable, task } : { run, retryable });
    this.deps.events.emit(`run:${run.status as 'succeeded'}`, { run });
  }
}
