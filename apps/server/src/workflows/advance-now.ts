/**
 * What follows node runs' ends, decided inside their settlements' transaction when it can be
 * decided without awaiting (advance.ts's `decideAdvanceNow`: no JSONata beyond plain paths such
 * as `input.items`), once per workflow run for all its ends in the batch (a forEach node's items
 * ending together free their places in one decision): the next nodes' runs are inserted with the
 * ends and handed to the run engine in the same turn as the commit (as child tasks' runs are),
 * with no read after the commit and no wait for the advancer. The state is read here, in the
 * transaction, after the ends were written (the workflow run's row is held: on SQLite the one writer, on PostgreSQL its row
 * lock), so no other advance can interleave. Anything else is left owed to the advancer
 * (workflow-advancer.ts) as before: a mapping that needs JSONata proper, the run's end (it locks
 * the workflow's row first and announces the end), a forEach node failing fast (its items are
 * cancelled through the engine).
 */
import type { Kysely, Selectable } from 'kysely';
import type { RunError, RunStatus } from '@kairos/protocol';
import type { Database, WorkflowRunNodesTable, WorkflowRunsTable } from '../store/db-schema.js';
import { queryShape } from '../store/query-shape.js';
import { fromJson } from '../store/row-mapping.js';
import type { RunRecord } from '../store/store.js';
import { advanceWritesSteps } from '../store/workflow-run-queries.js';
import {
  toWorkflowRunNodeRecord,
  toWorkflowRunRecord,
  type WorkflowDefinition,
  type WorkflowRunRecord,
} from '../store/workflow-records.js';
import type { WriteSteps } from '../store/write-steps.js';
import { decideAdvanceNow, type NodeRun } from './advance.js';
import type { VersionFacts, WorkflowDecisions } from './workflow-decisions.js';
import type { SuccessorLease } from './successors.js';

/** The workflow run if it still runs and owes an advance (compiled once: read at every batch). */
const owingRun = queryShape((db, workflowRunId: number) =>
  db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('id', '=', workflowRunId)
    .where('status', '=', 'running')
    .where('advance_owed', '=', 1),
);

/**
 * After a batch's node ends of a workflow run (SettlementSuccessors.afterBatch): what follows
 * them, decided once, when the run still runs and owes an advance.
 */
export function* advanceAfterEndsSteps(
  db: Kysely<Database>,
  workflowRunId: number,
  decisions: WorkflowDecisions,
  lease: SuccessorLease,
  now: number,
): WriteSteps<RunRecord[]> {
  const [row] = yield owingRun(db, workflowRunId);
  if (!row) return [];
  const run = toWorkflowRunRecord(row as unknown as Selectable<WorkflowRunsTable>);
  return yield* advanceNowSteps(db, run, decisions, lease, now);
}

function* advanceNowSteps(
  db: Kysely<Database>,
  run: WorkflowRunRecord,
  decisions: WorkflowDecisions,
  lease: SuccessorLease,
  now: number,
): WriteSteps<RunRecord[]> {
  const facts = decisions.version(run.workflowId, run.version) ?? (yield* readVersion(db, run, decisions));
  if (!facts) return [];
  const { definition, outputsOf, tasks } = facts;
  // Outputs are read only where the decision can read them (a node named by a mapping, a running
  // forEach node's list of items): a big fan-out's output is not parsed again at every node end.
  const nodes = (yield db
    .selectFrom('workflow_run_nodes')
    .select(['node_key', 'status', 'error', 'items_total', 'items_started', 'items_done'])
    .select((eb) =>
      eb
        .case()
        .when(
          outputsOf === 'all'
            ? eb.lit(true)
            : eb.or([
                eb('node_key', 'in', outputsOf.length > 0 ? outputsOf : ['']),
                eb.and([eb('status', '=', 'running'), eb('items_total', 'is not', null)]),
              ]),
        )
        .then(eb.ref('output'))
        .else(null)
        .end()
        .as('output'),
    )
    .where('workflow_run_id', '=', run.id)
    .compile()).map((row) =>
    toWorkflowRunNodeRecord({
      ...row,
      workflow_run_id: run.id,
    } as unknown as Selectable<WorkflowRunNodesTable>),
  );
  // The node runs only where the decision reads them: the items of a forEach node whose items
  // all ended (their outputs); an edge expression (its upstream run's input) is left owed.
  if (definition.edges.some((e) => typeof e.condition === 'object')) return [];
  const ending = nodes
    .filter((n) => n.status === 'running' && n.itemsTotal !== null && n.itemsDone >= n.itemsTotal)
    .map((n) => n.key);
  const nodeRuns: NodeRun[] =
    ending.length === 0
      ? []
      : (yield db
          .selectFrom('runs')
          .select(['id', 'workflow_node', 'workflow_item', 'status', 'output', 'error'])
          .where('workflow_run_id', '=', run.id)
          .where('workflow_node', 'in', ending)
          .compile()).map((row) => ({
          id: Number(row['id']),
          workflowNode: row['workflow_node'] as string,
          workflowItem: row['workflow_item'] === null ? null : Number(row['workflow_item']),
          status: row['status'] as RunStatus,
          output: fromJson(row['output'] as string | null),
          error: fromJson(row['error'] as string | null) as RunError | null,
          input: null,
        }));
  const decided = decideAdvanceNow(
    { run, definition, nodes, nodeRuns, tasks, now, lease: { owner: lease.owner, leaseMs: lease.leaseMs } },
    decisions.expressions,
  );
  if (decided === null || decided.end !== null || decided.cancelItemsOf) return [];
  // Decided: the advance owed by this end is made here (a state_version step, so an advance
  // decided elsewhere on the state before it applies nothing).
  yield db
    .updateTable('workflow_runs')
    .set((eb) => ({ advance_owed: 0, state_version: eb('state_version', '+', 1) }))
    .where('id', '=', run.id)
    .compile();
  return yield* advanceWritesSteps(db, run.id, decided, now);
}

/** A version's definition and its tasks' keys, read once and kept (workflow-decisions.ts). */
function* readVersion(
  db: Kysely<Database>,
  run: WorkflowRunRecord,
  decisions: WorkflowDecisions,
): WriteSteps<VersionFacts | undefined> {
  const [version] = yield db
    .selectFrom('workflow_versions')
    .select('definition')
    .where('workflow_id', '=', run.workflowId)
    .where('version', '=', run.version)
    .compile();
  if (!version) return undefined;
  const definition = JSON.parse(version['definition'] as string) as WorkflowDefinition;
  const taskIds = [...new Set(definition.nodes.map((n) => n.taskId))];
  const rows = yield db
    .selectFrom('tasks')
    .select(['id', 'app_id', 'namespace_id'])
    .where('id', 'in', taskIds)
    .compile();
  const tasks = new Map(
    rows.map((row) => [
      Number(row['id']),
      { appId: Number(row['app_id']), namespaceId: Number(row['namespace_id']) },
    ]),
  );
  return decisions.remember(run.workflowId, run.version, definition, tasks);
}
