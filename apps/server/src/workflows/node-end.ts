/**
 * A workflow node run's final end, inside its settlement's transaction: the node (or, for a
 * forEach node, one of its items) is recorded ended and the workflow run marked as owing an
 * advance. What follows is decided right there when it needs no await (advance-now.ts), and the
 * mark cleared; else the advance runs right after the commit (workflow-advancer.ts): JSONata 2
 * evaluates asynchronously, and a SQLite transaction must run to its end without awaiting. The
 * mark is what makes that advance survive a crash here.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, WorkflowRunsTable } from '../store/db-schema.js';
import { toJson } from '../store/row-mapping.js';
import type { RunRecord } from '../store/store.js';
import { toWorkflowRunRecord } from '../store/workflow-records.js';
import type { WriteSteps } from '../store/write-steps.js';
import { advanceNowSteps } from './advance-now.js';
import { itemFailure, nodeStatusOf } from './node-outcome.js';
import type { SuccessorLease } from './successors.js';

/**
 * The node's end, then what follows it when that can be decided here (advance-now.ts): the node
 * runs inserted, to be handed to the run engine after the commit.
 */
export function* nodeEndSteps(
  db: Kysely<Database>,
  ended: RunRecord,
  lease: SuccessorLease,
  now: number,
): WriteSteps<RunRecord[]> {
  const workflowRunId = ended.workflowRunId!;
  // The workflow run's row first, as every write that takes it with its nodes' rows does (a
  // deadlock otherwise, on PostgreSQL, with a cancel or an advance ending the run).
  const [owed] = yield db
    .updateTable('workflow_runs')
    .set((eb) => ({ advance_owed: 1, state_version: eb('state_version', '+', 1) }))
    .where('id', '=', workflowRunId)
    .where('status', '=', 'running')
    .returningAll()
    .compile();
  // Ended (cancelled, timed out, replaced) meanwhile: its nodes were decided then.
  if (!owed) return [];
  const node = db
    .updateTable('workflow_run_nodes')
    .where('workflow_run_id', '=', workflowRunId)
    .where('node_key', '=', ended.workflowNode!)
    .where('status', '=', 'running');
  if (ended.workflowItem == null) {
    yield node
      .set({
        status: nodeStatusOf(ended.status),
        output: toJson(ended.output ?? undefined),
        error: toJson(ended.error ?? undefined),
      })
      .compile();
  } else if (nodeStatusOf(ended.status) === 'succeeded') {
    yield node.set((eb) => ({ items_done: eb('items_done', '+', 1) })).compile();
  } else {
    // The first item to fail is kept on the node: a fail_fast node fails with it at its advance.
    const failed = toJson(itemFailure(ended.workflowItem, ended));
    yield node
      .set((eb) => ({
        items_done: eb('items_done', '+', 1),
        error: eb.fn.coalesce('error', eb.val(failed)),
      }))
      .compile();
  }
  // A forEach item's end is left to the advancer, whose one advance serves a burst of them (the
  // bench measured item starts three times later when each item's settlement decided its own
  // successor: the settlements' transactions, one decision each, held the writer).
  if (!lease.workflowDecisions || ended.workflowItem != null) return [];
  const run = toWorkflowRunRecord(owed as unknown as Selectable<WorkflowRunsTable>);
  return yield* advanceNowSteps(db, run, lease.workflowDecisions, lease, now);
}
