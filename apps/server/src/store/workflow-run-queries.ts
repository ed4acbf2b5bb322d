/**
 * Workflow runs in the store: the run with one row per node, the advance (node changes, node
 * runs, the end) applied under compare-and-set on the run's state_version, and the ends by
 * cancel or timeout. Why this is exactly once per node and item, whatever the number of nodes
 * advancing one run at once: a node run's idempotency key `wf:<run>:<node>:<item>` is unique per
 * task (the runs table's (task_id, idempotency_key)), and an advance decided on a state that
 * changed meanwhile applies nothing and is decided again.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, RunsTable, WorkflowRunNodesTable, WorkflowRunsTable } from './db-schema.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';
import { decodeCursor, toPage } from './pagination.js';
import { runColumns, toJson, toRunRecord } from './row-mapping.js';
import type { Page, PageRequest, RunRecord } from './store.js';
import {
  toWorkflowRunNodeRecord,
  toWorkflowRunRecord,
  type WorkflowRunNodeRecord,
  type WorkflowRunRecord,
} from './workflow-records.js';
import type {
  AppliedAdvance,
  NewWorkflowRun,
  WorkflowAdvance,
  WorkflowRunEnd,
  WorkflowRunFilter,
  WorkflowRunStart,
  WorkflowStore,
} from './workflow-store.js';
import {
  decideStart,
  endRunsSteps,
  lockWorkflowOfRunSteps,
  lockWorkflowSteps,
  runningRunsSteps,
  startQueuedSteps,
} from './workflow-run-slots.js';
import { insertRunsSteps, type StepRunner, type WriteSteps } from './write-steps.js';
import type { RunError } from '@kairos/protocol';

export type WorkflowRunStore = Omit<
  WorkflowStore,
  | 'createWorkflow'
  | 'updateWorkflow'
  | 'getWorkflow'
  | 'listWorkflows'
  | 'deleteWorkflow'
  | 'listWorkflowVersions'
  | 'getWorkflowVersion'
>;

export class WorkflowRunQueries implements WorkflowRunStore {
  readonly #db: Kysely<Database>;

  constructor(
    db: Kysely<Database>,
    private readonly runSteps: StepRunner,
    private readonly now: () => number,
  ) {
    this.#db = db;
  }

  async startWorkflowRun(start: NewWorkflowRun): Promise<WorkflowRunStart> {
    const db = this.#db;
    const now = this.now();
    return this.runSteps(function* (): WriteSteps<WorkflowRunStart> {
      const concurrency = yield* lockWorkflowSteps(db, start.workflowId);
      if (start.driverRunId !== null) {
        const [seen] = yield db
          .selectFrom('workflow_runs')
          .selectAll()
          .where('driver_run_id', '=', start.driverRunId)
          .compile();
        if (seen)
          return {
            outcome: 'existing',
            run: toWorkflowRunRecord(seen as unknown as Selectable<WorkflowRunsTable>),
            replaced: [],
          };
      }
      const running = yield* runningRunsSteps(db, start.workflowId);
      const decision = concurrency
        ? decideStart(concurrency, running)
        : ({ action: 'start', replace: [] } as const);
      if (decision.action === 'skip') return { outcome: 'skipped', going: decision.going };
      const queued = decision.action === 'queue';
      const [row] = yield db
        .insertInto('workflow_runs')
        .values({
          workflow_id: start.workflowId,
          namespace_id: start.namespaceId,
          version: start.version,
          status: queued ? 'queued' : 'running',
          trigger_type: start.triggerType,
          input: toJson(start.input),
          resumed_from: start.resumedFrom,
          driver_run_id: start.driverRunId,
          deadline_at: queued ? null : start.deadlineAt,
          advance_owed: queued ? 0 : 1,
          state_version: 0,
          error: null,
          created_at: now,
          started_at: queued ? null : start.startedAt,
          finished_at: null,
        })
        .returningAll()
        .compile();
      const run = toWorkflowRunRecord(row as unknown as Selectable<WorkflowRunsTable>);
      yield db
        .insertInto('workflow_run_nodes')
        .values(
          start.nodes.map((node) => ({
            workflow_run_id: run.id,
            node_key: node.key,
            status: node.status,
            output: toJson(node.output ?? undefined),
            error: null,
            items_total: null,
            items_started: 0,
            items_done: 0,
          })),
        )
        .compile();
      const replaced =
        decision.action === 'start'
          ? yield* endRunsSteps(
              db,
              decision.replace,
              'cancelled',
              {
                type: 'cancelled',
                message: `replaced by workflow run ${run.id} (concurrency.max ${concurrency?.max}, overlap replace)`,
              },
              now,
            )
          : [];
      return { outcome: queued ? 'queued' : 'started', run, replaced };
    });
  }

  async getWorkflowRun(id: number): Promise<WorkflowRunRecord | undefined> {
    const row = await this.#db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toWorkflowRunRecord(row);
  }

  async listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRunRecord>> {
    const before = decodeCursor(page.cursor);
    let query = this.#db.selectFrom('workflow_runs').selectAll();
    if (filter.namespaceId !== undefined)
      query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId as NamespaceFilter));
    if (filter.workflowId !== undefined) query = query.where('workflow_id', '=', filter.workflowId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toWorkflowRunRecord), page.limit);
  }

  async listWorkflowRunNodes(workflowRunId: number): Promise<WorkflowRunNodeRecord[]> {
    const rows = await this.#db
      .selectFrom('workflow_run_nodes')
      .selectAll()
      .where('workflow_run_id', '=', workflowRunId)
      .execute();
    return rows.map(toWorkflowRunNodeRecord);
  }

  async listNodeRuns(workflowRunId: number): Promise<RunRecord[]> {
    const rows = await this.#db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_run_id', '=', workflowRunId)
      .orderBy('id')
      .execute();
    return rows.map((row) => toRunRecord(row as Selectable<RunsTable>));
  }

  async applyWorkflowAdvance(
    workflowRunId: number,
    stateVersion: number,
    advance: WorkflowAdvance,
  ): Promise<AppliedAdvance> {
    const db = this.#db;
    const now = this.now();
    return this.runSteps(function* (): WriteSteps<AppliedAdvance> {
      // Ending the run may start a queued one: the workflow's row is locked first (lock order).
      const workflow = advance.end ? yield* lockWorkflowOfRunSteps(db, workflowRunId) : undefined;
      // The compare-and-set: one advance per state; a loser decides again on the new state.
      const claimed = yield db
        .updateTable('workflow_runs')
        .set({
          state_version: stateVersion + 1,
          advance_owed: 0,
          ...(advance.end
            ? {
                status: advance.end.status,
                error: toJson(advance.end.error ?? undefined),
                finished_at: advance.end.at,
              }
            : {}),
        })
        .where('id', '=', workflowRunId)
        .where('status', '=', 'running')
        .where('state_version', '=', stateVersion)
        .returning('id')
        .compile();
      if (claimed.length === 0) return { applied: false, runs: [], started: [] };
      const started = workflow?.concurrency
        ? yield* startQueuedSteps(db, workflow.id, workflow.concurrency, now)
        : [];
      const runs = yield* advanceWritesSteps(db, workflowRunId, advance, now);
      return { applied: true, runs, started };
    });
  }

  async endWorkflowRun(
    workflowRunId: number,
    status: 'cancelled' | 'timed_out',
    error: RunError,
    at: number,
  ): Promise<WorkflowRunEnd> {
    const db = this.#db;
    return this.runSteps(function* (): WriteSteps<WorkflowRunEnd> {
      const workflow = yield* lockWorkflowOfRunSteps(db, workflowRunId);
      const ended = yield* endRunsSteps(db, [workflowRunId], status, error, at);
      if (ended.length === 0) return { ended: false, started: [] };
      const started = workflow?.concurrency
        ? yield* startQueuedSteps(db, workflow.id, workflow.concurrency, at)
        : [];
      return { ended: true, started };
    });
  }

  async listWorkflowRunsToAdvance(
    now: number,
    limit: number,
  ): Promise<{ owing: number[]; expired: number[] }> {
    const owing = await this.#db
      .selectFrom('workflow_runs')
      .select('id')
      .where('status', '=', 'running')
      .where('advance_owed', '=', 1)
      .orderBy('id')
      .limit(limit)
      .execute();
    const expired = await this.#db
      .selectFrom('workflow_runs')
      .select('id')
      .where('status', '=', 'running')
      .where('deadline_at', '<=', now)
      .orderBy('id')
      .limit(limit)
      .execute();
    return { owing: owing.map((r) => Number(r.id)), expired: expired.map((r) => Number(r.id)) };
  }
}

/** The workflow operations of a Kysely store (kysely-store-base.ts). */
export function workflowRunOperations(parts: {
  db: Kysely<Database>;
  runSteps: StepRunner;
  now: () => number;
}): WorkflowRunStore {
  const q = new WorkflowRunQueries(parts.db, parts.runSteps, parts.now);
  return {
    startWorkflowRun: (run) => q.startWorkflowRun(run),
    getWorkflowRun: (id) => q.getWorkflowRun(id),
    listWorkflowRuns: (filter, page) => q.listWorkflowRuns(filter, page),
    listWorkflowRunNodes: (id) => q.listWorkflowRunNodes(id),
    listNodeRuns: (id) => q.listNodeRuns(id),
    applyWorkflowAdvance: (id, version, advance) => q.applyWorkflowAdvance(id, version, advance),
    endWorkflowRun: (id, status, error, at) => q.endWorkflowRun(id, status, error, at),
    listWorkflowRunsToAdvance: (now, limit) => q.listWorkflowRunsToAdvance(now, limit),
  };
}

/**
 * An advance's node changes and node runs (one per idempotency key: never twice), for the
 * caller that holds the run's row (applyWorkflowAdvance's compare-and-set, or a node run's
 * settlement deciding what follows inside its transaction); the runs inserted, oldest first.
 */
export function* advanceWritesSteps(
  wdb: Kysely<Database>,
  workflowRunId: number,
  advance: Pick<WorkflowAdvance, 'nodes' | 'runs'>,
  now: number,
): WriteSteps<RunRecord[]> {
  // Nodes changed alike (a wave of nodes set running) are one statement.
  const alike = new Map<string, { set: Updateable<WorkflowRunNodesTable>; keys: string[] }>();
  for (const change of advance.nodes) {
    const set: Updateable<WorkflowRunNodesTable> = {
      status: change.status,
      ...(change.output !== undefined ? { output: toJson(change.output) } : {}),
      ...(change.error !== undefined ? { error: toJson(change.error ?? undefined) } : {}),
      ...(change.itemsTotal !== undefined ? { items_total: change.itemsTotal } : {}),
      ...(change.itemsStarted !== undefined ? { items_started: change.itemsStarted } : {}),
    };
    // A change carrying an output or error is written on its own (no need to compare them).
    const same =
      set.output !== undefined || set.error !== undefined ? `node:${change.key}` : JSON.stringify(set);
    const group = alike.get(same);
    if (group) group.keys.push(change.key);
    else alike.set(same, { set, keys: [change.key] });
  }
  for (const { set, keys } of alike.values()) {
    yield wdb
      .updateTable('workflow_run_nodes')
      .set(set)
      .where('workflow_run_id', '=', workflowRunId)
      .where('node_key', 'in', keys)
      .compile();
  }
  if (advance.runs.length === 0) return [];
  return yield* insertRunsSteps(advance.runs.map((run) => runColumns(run, now)));
}
