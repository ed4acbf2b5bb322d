/**
 * What follows a run's end, decided in one pure function (like scheduler/planner.ts): the end
 * itself, the retry run with its due time, and a fixed-delay task's next fire. The store applies
 * a settlement in one transaction (Store.settleRuns): all of it or none of it, so a crash or a
 * failed statement can never leave a failed run without its retry or a fixed-delay task without
 * its next slot. Nothing here reads a clock or the database.
 */
import type { Retry } from '@kairos/protocol';
import type { NewRun, RunEnd, RunRecord, Settlement, TaskRecord } from '../store/store.js';
import { assertChange, type EndStatus } from './run-status.js';

export type { RunEnd, Settlement };

/** Who holds the runs a settlement creates. */
export interface SettleContext {
  owner: string;
  leaseMs: number;
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
 * follows the end.
 */
export function decideSettlement(
  run: Pick<
    RunRecord,
    'id' | 'taskId' | 'appId' | 'namespaceId' | 'triggerType' | 'attempt' | 'retryOf' | 'input'
  >,
  task: Pick<TaskRecord, 'retry' | 'schedule'> | undefined,
  expected: Settlement['expected'],
  end: RunEnd,
  ctx: SettleContext,
): Settlement {
  assertChange(expected, end.status);
  return {
    runId: run.id,
    expected,
    end,
    retry: task ? retryOf(run, task.retry, end, ctx) : null,
    nextFire: task ? nextFixedDelayFire(run, task, end) : null,
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
    idempotencyKey: `retry:${root}:${run.attempt + 1}`,
    leaseOwner: ctx.owner,
    leaseExpiresAt: end.finishedAt + ctx.leaseMs,
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
