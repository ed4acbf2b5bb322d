/**
 * Running a past run again: a replay (POST /runs/{id}/replay) or a dead letter's redrive. The new
 * run has the original's input, is linked to it (`replayOf`) and, when pinned, runs the target
 * version the original ran (JobType.versionOf: for Dify the workflow_id its output records).
 */
import { KairosError } from '../errors.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { RunRecord, Store } from '../store/store.js';

export interface RunReplayDeps {
  store: Store;
  engine: RunEngine;
  jobTypes?: JobTypeRegistry | undefined;
}

/** The version a pinned replay of `run` runs; throws a 400 on `pin` when none is known. */
export function pinOf(run: RunRecord, taskType: string, jobTypes: JobTypeRegistry | undefined): string {
  const recorded = run.versionPin ?? jobTypes?.get(taskType)?.versionOf?.(run.output) ?? null;
  if (recorded === null) {
    throw new KairosError(
      'VALIDATION_ERROR',
      `pin: run ${run.id} recorded no target version to pin to (only Dify runs that reached Dify record their workflow_id)`,
      { field: 'pin' },
    );
  }
  return recorded;
}

export async function replayRun(deps: RunReplayDeps, run: RunRecord, pin: boolean): Promise<RunRecord> {
  const task = await deps.store.getTask(run.taskId);
  if (!task) throw new KairosError('TASK_NOT_FOUND', `task ${run.taskId} of run ${run.id} does not exist`);
  const versionPin = pin ? pinOf(run, task.type, deps.jobTypes) : null;
  const { run: replay } = await deps.engine.trigger(task, {
    input: run.input,
    triggerType: 'replay',
    replayOf: run.id,
    versionPin,
  });
  return replay;
}
