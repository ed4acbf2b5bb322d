/**
 * Which alerts a run's end raises: a pure, synchronous decision (no I/O, no clock), made inside
 * the transaction that settles the run (runs/settlement.ts decides with it; the store writes its
 * result with insertAlertsSteps, store/alert-outbox.ts, in that same transaction). An alert then exists if and only if the
 * settlement committed, whatever node settles it and whenever a node dies.
 *
 * `failure` fires for a run that ended failed, timed_out or lost with no retry to follow (after
 * the last attempt); `failure_attempt` for every such attempt; `timeout`, `lost` and `success`
 * for their status, every attempt. `consecutive_failures` counts finished runs of the task in a
 * row (retry attempts included; cancelled and skipped runs are not counted and do not break the
 * row): it fires when the row reaches the threshold, once per row, and sends a recovery when a
 * success ends a row that had fired.
 */
import type { RunStatus } from '@kairos/protocol';
import type { AlertRuleRecord, NewAlert } from '../store/alert-records.js';
import type { RunRecord, TaskRecord } from '../store/store.js';

const FAILED: ReadonlySet<RunStatus> = new Set(['failed', 'timed_out', 'lost']);
/** Statuses that neither count in nor break a row of failures. */
const NEUTRAL: ReadonlySet<RunStatus> = new Set(['cancelled', 'skipped']);

export interface SettlementFacts {
  /** The settlement schedules a retry of this run. */
  willRetry: boolean;
  /**
   * Statuses of the task's runs finished before this one, newest first, cancelled and skipped
   * left out; at least `consecutiveFailuresDepth(rules)` of them (none needed when 0). See
   * settlementAlertsSteps in store/alert-outbox.ts.
   */
  previousStatuses?: readonly RunStatus[] | undefined;
}

/** Does the rule watch this run (scope, enabled, not muted at `now`)? */
export function ruleApplies(
  rule: AlertRuleRecord,
  run: Pick<RunRecord, 'taskId' | 'appId' | 'namespaceId'>,
  now: number,
): boolean {
  if (!rule.enabled || (rule.mutedUntil !== null && rule.mutedUntil > now)) return false;
  switch (rule.scope.kind) {
    case 'task':
      return rule.scope.taskId === run.taskId;
    case 'app':
      return rule.scope.appId === run.appId;
    case 'namespace':
      return rule.namespaceId === run.namespaceId;
  }
}

/** How many previous statuses alertsForSettledRun needs for these rules (0: none). */
export function consecutiveFailuresDepth(rules: readonly AlertRuleRecord[]): number {
  return rules.reduce(
    (depth, r) => (r.on === 'consecutive_failures' ? Math.max(depth, r.threshold ?? 0) : depth),
    0,
  );
}

/** Failures in a row before this run, up to `limit`. */
function failuresInARow(previous: readonly RunStatus[], limit: number): number {
  let row = 0;
  for (const status of previous) {
    if (NEUTRAL.has(status)) continue;
    if (!FAILED.has(status) || row >= limit) break;
    row += 1;
  }
  return row;
}

function describe(run: RunRecord, task: Pick<TaskRecord, 'name'>): string {
  switch (run.status) {
    case 'succeeded':
      return `Task "${task.name}" succeeded (run ${run.id})`;
    case 'timed_out':
      return `Task "${task.name}" timed out (run ${run.id}, attempt ${run.attempt})`;
    case 'lost':
      return `Task "${task.name}" was lost: the node or executor running it died (run ${run.id})`;
    default:
      return `Task "${task.name}" ${run.status} (run ${run.id}, attempt ${run.attempt})`;
  }
}

/** The alerts a settled run raises under `rules` (any rules: those that do not apply are left out). */
export function alertsForSettledRun(
  run: RunRecord,
  task: Pick<TaskRecord, 'id' | 'name' | 'retry'>,
  rules: readonly AlertRuleRecord[],
  now: number,
  facts: SettlementFacts,
): NewAlert[] {
  const failed = FAILED.has(run.status);
  const at = run.finishedAt ?? now;
  const base = {
    summary: describe(run, task),
    status: run.status,
    attempt: run.attempt,
    maxAttempts: task.retry.maxAttempts,
    durationMs: run.durationMs,
    at,
    ...(run.error ? { error: run.error.message, errorType: run.error.type } : {}),
  };
  const alerts: NewAlert[] = [];
  const raise = (rule: AlertRuleRecord, state: 'firing' | 'resolved', extra: Record<string, unknown> = {}) =>
    alerts.push({
      ruleId: rule.id,
      namespaceId: run.namespaceId,
      on: rule.on,
      state,
      dedupKey: `task:${run.taskId}`,
      appId: run.appId,
      taskId: run.taskId,
      runId: run.id,
      facts: { ...base, ...extra },
      silenceSeconds: rule.silenceSeconds,
      notify: rule.notify,
      createdAt: now,
    });

  for (const rule of rules) {
    if (!ruleApplies(rule, run, now)) continue;
    switch (rule.on) {
      case 'failure':
        if (failed && !facts.willRetry) raise(rule, 'firing');
        break;
      case 'failure_attempt':
        if (failed) raise(rule, 'firing', { willRetry: facts.willRetry });
        break;
      case 'timeout':
        if (run.status === 'timed_out') raise(rule, 'firing');
        break;
      case 'lost':
        if (run.status === 'lost') raise(rule, 'firing');
        break;
      case 'success':
        if (run.status === 'succeeded') raise(rule, 'firing');
        break;
      case 'consecutive_failures': {
        const threshold = rule.threshold ?? Infinity;
        const before = failuresInARow(facts.previousStatuses ?? [], threshold);
        if (failed && before + 1 === threshold) {
          raise(rule, 'firing', {
            summary: `Task "${task.name}" failed ${threshold} times in a row (last: run ${run.id})`,
            value: threshold,
            threshold,
          });
        } else if (run.status === 'succeeded' && before >= threshold) {
          raise(rule, 'resolved', {
            summary: `Task "${task.name}" succeeded again after ${before}+ failures in a row (run ${run.id})`,
            value: 0,
            threshold,
          });
        }
        break;
      }
      default:
        // Threshold rules (duration, failure_rate, ...) are the evaluator's, not the settlement's.
        break;
    }
  }
  return alerts;
}
