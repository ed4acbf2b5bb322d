/** A workflow node's status from its run's end, and a forEach node's error from a failed item. */
import type { RunError, RunStatus } from '@kairos/protocol';
import type { RunRecord } from '../store/store.js';
import type { WorkflowNodeStatus } from '../store/workflow-records.js';

/** A node's status once its (last) run ended so. */
export function nodeStatusOf(status: RunStatus): WorkflowNodeStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** The error of a forEach node whose item `index` did not succeed. */
export function itemFailure(index: number, run: Pick<RunRecord, 'status' | 'error'>): RunError {
  return {
    type: 'workflow_item_failed',
    message: `item ${index} ended ${run.status}${run.error ? `: ${run.error.message}` : ''}`,
  };
}
