/**
 * What follows a run's end, decided in one pure function (like scheduler/planner.ts): the end
 * itself, the retry run with its due time, a fixed-delay task's next fire and the alerts the end
 * raises. The store applies a settlement in one transaction (Store.settleRuns): all of it or none
 * of it, so a crash or a failed statement can never leave a failed run without its retry, a
 * fixed-delay task without its next slot, or an alert unsent or sent for an end never stored.
 * Nothing here reads a clock or the database.
 */
import type { Retry } from '@kairos/protocol';
import { alertsForSettledRun, consecutiveFailuresDepth } from '../alerts/settled-run-alerts.js';
import type { AlertRuleRecord } from '../store/alert-records.js';
import { withEnd } from '../store/records.js';
import type { NewRun, RunEnd, RunRecord, Settlement, SettlementAlerts, TaskRecord } from '../store/store.js';
import type { WorkflowDecisions } from '../workflows/workflow-decisions.js';
import { successorsOf } from '../workflows/successors.js';
import { assertChange, type EndStatus } from './run-status.js';

export type { RunEnd, Settlement };

/** Who holds the runs a settlement creates. */
export interface SettleContext {
  owner: string;
  leaseMs: number;
  /** JSONata for workflows: a node run's end decides what follows in its settlement when it can. */
  workflowDecisions?: WorkflowDecisions | undefined;
  /**
   * Deciding a run's alerts threw (a defect): the run still settles, without them; this hears
   * of it (the settler logs it).
   */
  onAlertError?: ((error: unknown, runId: number) => void) | undefined;
}

const RETRIED: ReadonlySet<EndStatus> = new Set(['failed', 'timed_out', 'lost']);

/** Delay before attempt `failedAttempt + 1`, in ms. */
export function retryDelayMs(retry: Retry, failedAttempt: number): number {
  const base = retry.delaySeconds * 1000;
  const delay = retry.backoff === 'fixed' ? base : base * 2 ** (failedAttempt - 1);
  return Math.min(delay, retry.maxDelaySeconds * 1000);
}

/**
 * Decides a run's settlement. `task` is the task as the settler knows it (the engine's snapshot
 * from when the run was planned, or the stored task for recovery); without it (deleted) nothing
 * follows the end. `rules` are the alert rules watching the run (alerts/alert-rule-cache.ts).
 */
export function decideSettlement(
  run: RunRecord,
  task: Pick<TaskRecord, 'id' | 'name' | 'retry' | 'schedule' | 'childTaskIds'> | undefined,
  expected: Settlement['expected'],
  end: RunEnd,
  ctx: SettleContext,
  rules: readonly AlertRuleRecord[] = [],
): Settlement {
  assertChange(expected, end.status);
  const retry = task ? retryOf(run, task.retry, end, ctx) : null;
  return {
    runId: run.id,
    expected,
    end,
    retry,
    nextFire: task ? nextFixedDelayFire(run, task, end) : null,
    alerts: task && rules.length > 0 ? alertsOf(withEnd(run, end), task, rules, retry !== null, ctx) : null,
    // Child tasks' runs and a workflow node's end (workflows/successors.ts), once the end is final.
    successors: task ? successorsOf(withEnd(run, end), task, retry !== null, ctx) : null,
  };
}

/**
 * The alerts of the end, decided inside the settlement's transaction once the statuses of the
 * task's previous runs are read there (consecutive_failures counts them).
 */
function alertsOf(
  ended: RunRecord,
  task: Pick<TaskRecord, 'id' | 'name' | 'retry'>,
  rules: readonly AlertRuleRecord[],
  willRetry: boolean,
  ctx: SettleContext,
): SettlementAlerts {
  return {
    taskId: ended.taskId,
    previousDepth: consecutiveFailuresDepth(rules),
    decide: (previousStatuses) => {
      try {
        return alertsForSettledRun(ended, task, rules, ended.finishedAt ?? 0, {
          willRetry,
          previousStatuses,
        });
      } catch (error) {
        ctx.onAlertError?.(error, ended.id);
        return [];
      }
    },
  };
}

function retryOf(
  run: Parameters<typeof decideSettlement>[0],
  policy: Retry,
  end: RunEnd,
  ctx: SettleContext,
): NewRun | null {
  if (!end.retryable || !RETRIED.has(end.status) || run.attempt >= policy.maxAttempts) return null;
  const root = run.retryOf ?? run.id;
  return {
    taskId: run.taskId,
    appId: run.appId,
    namespaceId: run.namespaceId,
    triggerType: 'retry',
    status: 'scheduled',
    slotAt: null,
    scheduledAt: end.finishedAt + retryDelayMs(policy, run.attempt),
    attempt: run.attempt + 1,
    retryOf: root,
    input: run.input,
    priority: run.priority,
    idempotencyKey: `retry:${root}:${run.attempt + 1}`,
    // A pinned replay's retries run the same version.
    versionPin: run.versionPin ?? null,
    leaseOwner: ctx.owner,
    leaseExpiresAt: end.finishedAt + ctx.leaseMs,
    // A node run's retry is the same node (and item) of the same workflow run.
    ...(run.workflowRunId != null
      ? { workflowRunId: run.workflowRunId, workflowNode: run.workflowNode, workflowItem: run.workflowItem }
      : {}),
  };
}

/**
 * fixed_delay: the next slot is `delaySeconds` after a scheduled run of the task ends. A skipped
 * run does not count: it was skipped because another run of the task was going, whose end sets it.
 */
function nextFixedDelayFire(
  run: Parameters<typeof decideSettlement>[0],
  task: Pick<TaskRecord, 'schedule'>,
  end: RunEnd,
): Settlement['nextFire'] {
  if (task.schedule.type !== 'fixed_delay' || end.status === 'skipped') return null;
  if (run.triggerType !== 'schedule' && run.triggerType !== 'misfire') return null;
  return { taskId: run.taskId, at: end.finishedAt + task.schedule.delaySeconds * 1000 };
}
