/**
 * A run triggered now rather than by its schedule (manual, API, replay, redrive, judge), and the
 * run row it becomes: due now, attempt 1, leased by the node that triggers it.
 */
import type { NewRun, TaskRecord } from '../store/store.js';

/** A run triggered now rather than by its schedule. */
export interface Trigger {
  input: unknown;
  /** Overrides the task's priority for this run. */
  priority?: number | undefined;
  triggerType: 'manual' | 'api' | 'replay' | 'redrive' | 'judge';
  idempotencyKey?: string | undefined;
  /** A replay or redrive: the run it runs again. */
  replayOf?: number | undefined;
  /** The target version to run (JobType.versionOf of the original). */
  versionPin?: string | null | undefined;
}

export function triggeredRun(
  {
    task,
    input,
    triggerType,
    idempotencyKey,
    priority,
    replayOf,
    versionPin,
  }: Trigger & { task: TaskRecord },
  now: number,
  owner: string,
  leaseMs: number,
): NewRun {
  return {
    taskId: task.id,
    appId: task.appId,
    namespaceId: task.namespaceId,
    triggerType,
    status: 'scheduled',
    slotAt: null,
    scheduledAt: now,
    attempt: 1,
    retryOf: null,
    input: input ?? null,
    priority: priority ?? task.priority,
    idempotencyKey: idempotencyKey ?? null,
    leaseOwner: owner,
    leaseExpiresAt: now + leaseMs,
    replayOf: replayOf ?? null,
    versionPin: versionPin ?? null,
  };
}
