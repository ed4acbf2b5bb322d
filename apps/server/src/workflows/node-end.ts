/**
 * A workflow node run's final end, inside its settlement's transaction: the node (or, for a
 * forEach node, one of its items) is recorded ended and the workflow run marked as owing an
 * advance. What follows is decided in the same transaction when it needs no await, once for all
 * the batch's ends of that workflow run (advance-now.ts), and the mark cleared; else the advance
 * runs right after the commit (workflow-advancer.ts): JSONata 2 evaluates asynchronously, and a
 * SQLite transaction must run to its end without awaiting. The mark is what makes that advance
 * survive a crash here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db-schema.js';
import { toJson } from '../store/row-mapping.js';
import type { RunRecord } from '../store/store.js';
import { queryShape } from '../store/query-shape.js';
import type { WriteSteps } from '../store/write-steps.js';
import { itemFailure, nodeStatusOf } from './node-outcome.js';

/** The workflow run marked as owing an advance, if it still runs (answers its id). */
const markOwed = queryShape((db, workflowRunId: number) =>
  db
    .updateTable('workflow_runs')
    .set((eb) => ({ advance_owed: 1, state_version: eb('state_version', '+', 1) }))
    .where('id', '=', workflowRunId)
    .where('status', '=', 'running')
    .returning('id'),
);

const runningNode = (db: Kysely<Database>, workflowRunId: number, key: string) =>
  db
    .updateTable('workflow_run_nodes')
    .where('workflow_run_id', '=', workflowRunId)
    .where('node_key', '=', key)
    .where('status', '=', 'running');

const endNode = queryShape(
  (db, workflowRunId: number, key: string, status: string, output: string | null, error: string | null) =>
    runningNode(db, workflowRunId, key).set({
      status: status as ReturnType<typeof nodeStatusOf>,
      output,
      error,
    }),
);

const countItemDone = queryShape((db, workflowRunId: number, key: string) =>
  runningNode(db, workflowRunId, key).set((eb) => ({ items_done: eb('items_done', '+', 1) })),
);

/** The first item to fail is kept on the node: a fail_fast node fails with it at its advance. */
const countItemFailed = queryShape((db, workflowRunId: number, key: string, failure: string) =>
  runningNode(db, workflowRunId, key).set((eb) => ({
    items_done: eb('items_done', '+', 1),
    error: eb.fn.coalesce('error', eb.val(failure)),
  })),
);

/**
 * The node's end; what follows is decided once for the batch's ends of the workflow run, after
 * them (advance-now.ts). Its statements are compiled once (query-shape.ts): they run at every
 * node run's end, a fan-out's items included.
 */
export function* nodeEndSteps(db: Kysely<Database>, ended: RunRecord): WriteSteps<void> {
  const workflowRunId = ended.workflowRunId!;
  const key = ended.workflowNode!;
  // The workflow run's row first, as every write that takes it with its nodes' rows does (a
  // deadlock otherwise, on PostgreSQL, with a cancel or an advance ending the run).
  const [owed] = yield markOwed(db, workflowRunId);
  // Ended (cancelled, timed out, replaced) meanwhile: its nodes were decided then.
  if (!owed) return;
  if (ended.workflowItem == null) {
    yield endNode(
      db,
      workflowRunId,
      key,
      nodeStatusOf(ended.status),
      toJson(ended.output ?? undefined),
      toJson(ended.error ?? undefined),
    );
  } else if (nodeStatusOf(ended.status) === 'succeeded') {
    yield countItemDone(db, workflowRunId, key);
  } else {
    yield countItemFailed(db, workflowRunId, key, toJson(itemFailure(ended.workflowItem, ended))!);
  }
}
