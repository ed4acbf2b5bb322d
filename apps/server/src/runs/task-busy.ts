/**
 * What becomes of a due run whose task is already running `concurrency.max` runs: it waits for
 * room, replaces the running ones (which are aborted, then it waits for their end), or is
 * skipped. A retry (owed to a run that failed) and a workflow's node run (owed to its workflow
 * run) always wait, whatever the overlap policy.
 */
import type { RunError } from '@kairos/protocol';
import type { RunRecord, TaskRecord } from '../store/records.js';

export type TaskBusy = { action: 'wait' } | { action: 'replace' } | { action: 'skip'; error: RunError };

export function whenTaskBusy(
  run: Pick<RunRecord, 'triggerType'>,
  task: Pick<TaskRecord, 'concurrency'>,
): TaskBusy {
  if (run.triggerType === 'retry' || run.triggerType === 'workflow') return { action: 'wait' };
  switch (task.concurrency.overlap) {
    case 'queue':
      return { action: 'wait' };
    case 'replace':
      return { action: 'replace' };
    default: {
      const max = task.concurrency.max;
      return {
        action: 'skip',
        error: {
          type: 'overlap',
          message: `skipped: ${max} run(s) of this task already running (concurrency.max ${max}, overlap skip)`,
        },
      };
    }
  }
}
