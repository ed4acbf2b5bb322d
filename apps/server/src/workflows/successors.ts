/**
 * What a run's final end triggers besides its retry, decided with the settlement
 * (runs/settlement.ts) and written in its transaction (Store.settleRuns): the runs of the task's
 * child tasks when it succeeded, and, for a workflow's node run, the node's end and (once per
 * workflow run and batch) what follows it. Pure: the
 * returned steps read and write only when the store runs them inside the transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db-schema.js';
import type { RunRecord, SettlementSuccessors, TaskRecord } from '../store/store.js';
import type { WriteSteps } from '../store/write-steps.js';
import { childRunsSteps } from './child-runs.js';
import type { WorkflowDecisions } from './workflow-decisions.js';
import { nodeEndSteps } from './node-end.js';
import { advanceAfterEndsSteps } from './advance-now.js';

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
  const decisions = lease.workflowDecisions;
  return {
    *steps(db: Kysely<Database>, now: number): WriteSteps<RunRecord[]> {
      const inserted = children.length > 0 ? yield* childRunsSteps(db, ended, children, lease, now) : [];
      if (inWorkflow) yield* nodeEndSteps(db, ended);
      return inserted;
    },
    lockOrder: inWorkflow ? ended.workflowRunId! : undefined,
    // The node's successors, decided once for all the batch's ends of its workflow run.
    afterBatch:
      inWorkflow && decisions
        ? {
            key: `workflow_run:${ended.workflowRunId}`,
            steps: (db: Kysely<Database>, now: number) =>
              advanceAfterEndsSteps(db, ended.workflowRunId!, decisions, lease, now),
          }
        : undefined,
  };
}
