/**
 * What a run's final end triggers besides its retry, decided with the settlement
 * (runs/settlement.ts) and written in its transaction (Store.settleRuns): the runs of the task's
 * child tasks when it succeeded, and, for a workflow's node run, the node's end. Pure: the
 * returned steps read and write only when the store runs them inside the transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db-schema.js';
import type { RunRecord, SettlementSuccessors, TaskRecord } from '../store/store.js';
import type { WriteSteps } from '../store/write-steps.js';
import { childRunsSteps } from './child-runs.js';
import type { WorkflowDecisions } from './workflow-decisions.js';
import { nodeEndSteps } from './node-end.js';

/** Who holds the runs the successors insert. */
export interface SuccessorLease {
  owner: string;
  leaseMs: number;
  /** Given: a node's end decides what follows inside the settlement when it can (advance-now.ts). */
  workflowDecisions?: WorkflowDecisions | undefined;
}

/**
 * The successors of `ended` (the run with its end applied), or null when nothing follows: a run
 * that will be retried has not ended finally, so neither its children nor its node are decided.
 */
export function successorsOf(
  ended: RunRecord,
  task: Pick<TaskRecord, 'childTaskIds'>,
  willRetry: boolean,
  lease: SuccessorLease,
): SettlementSuccessors | null {
  if (willRetry) return null;
  const children = ended.status === 'succeeded' ? (task.childTaskIds ?? []) : [];
  const inWorkflow = ended.workflowRunId != null && ended.workflowNode != null;
  if (children.length === 0 && !inWorkflow) return null;
  return {
    *steps(db: Kysely<Database>, now: number): WriteSteps<RunRecord[]> {
      const inserted: RunRecord[] = [];
      if (children.length > 0) inserted.push(...(yield* childRunsSteps(db, ended, children, lease, now)));
      if (inWorkflow) inserted.push(...(yield* nodeEndSteps(db, ended, lease, now)));
      return inserted;
    },
  };
}
