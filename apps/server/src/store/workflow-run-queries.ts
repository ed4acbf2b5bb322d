/**
 * Workflow runs in the store: the run with one row per node, the advance (node changes, node
 * runs, the end) applied under compare-and-set on the run's state_version, and the ends by
 * cancel or timeout. Why this is exactly once per node and item, whatever the number of nodes
 * advancing one run at once: a node run's idempotency key `wf:<run>:<node>:<item>` is unique per
 * task (the runs table's (task_id, idempotency_key)), and an advance decided on a state that
 * changed meanwhile applies nothing and is decided again.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, RunsTable, WorkflowRunsTable } from './db-schema.js';
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
import type { NewWorkflowRun, WorkflowAdvance, WorkflowRunFilter, WorkflowStore } from './workflow-store.js';
import type { StepRunner } from './write-steps.js';
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

  async startWorkflowRun(start: NewWorkflowRun): Promise<{ run: WorkflowRunRecord; created: boolean }> {
    const db = this.#db;
    const now = this.now();
    return this.runSteps(function* () {
      if (start.driverRunId !== null) {
        const [seen] = yield db
          .selectFrom('workflow_runs')
          .selectAll()
          .where('driver_run_id', '=', start.driverRunId)
          .compile();
        if (seen)
          return {
            run: toWorkflowRunRecord(seen as unknown as Selectable<WorkflowRunsTable>),
            created: false,
          };
      }
      const [row] = yield db
        .insertInto('workflow_runs')
        .values({
          workflow_id: start.workflowId,
          namespace_id: start.namespaceId,
          version: start.version,
          status: 'running',
          trigger_type: start.triggerType,
          input: toJson(start.input),
          resumed_from: start.resumedFrom,
          driver_run_id: start.driverRunId,
          deadline_at: start.deadlineAt,
          advance_owed: 1,
          state_version: 0,
          error: null,
          created_at: now,
          started_at: start.startedAt,
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
      return { run, created: true };
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
  ): Promise<{ applied: boolean; runs: RunRecord[] }> {
    const db = this.#db;
    const now = this.now();
    return this.runSteps(function* () {
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
      if (claimed.length === 0) return { applied: false, runs: [] };
      for (const change of advance.nodes) {
        yield db
          .updateTable('workflow_run_nodes')
          .set({
            status: change.status,
            ...(change.output !== undefined ? { output: toJson(change.output) } : {}),
            ...(change.error !== undefined ? { error: toJson(change.error ?? undefined) } : {}),
            ...(change.itemsTotal !== undefined ? { items_total: change.itemsTotal } : {}),
            ...(change.itemsStarted !== undefined ? { items_started: change.itemsStarted } : {}),
          })
          .where('workflow_run_id', '=', workflowRunId)
          .where('node_key', '=', change.key)
          .compile();
      }
      if (advance.runs.length === 0) return { applied: true, runs: [] };
      const rows = yield db
        .insertInto('runs')
        .values(advance.runs.map((run) => runColumns(run, now)))
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .compile();
      const runs = rows.map((row) => toRunRecord(row as unknown as Selectable<RunsTable>));
      return { applied: true, runs: runs.sort((a, b) => a.id - b.id) };
    });
  }

  async endWorkflowRun(
    workflowRunId: number,
    status: 'cancelled' | 'timed_out',
    error: RunError,
    at: number,
  ): Promise<boolean> {
    const db = this.#db;
    return this.runSteps(function* () {
      const ended = yield db
        .updateTable('workflow_runs')
        .set((eb) => ({
          status,
          error: toJson(error),
          finished_at: at,
          advance_owed: 0,
          state_version: eb('state_version', '+', 1),
        }))
        .where('id', '=', workflowRunId)
        .where('status', '=', 'running')
        .returning('id')
        .compile();
      if (ended.length === 0) return false;
      yield db
        .updateTable('workflow_run_nodes')
        .set({ status: 'cancelled' })
        .where('workflow_run_id', '=', workflowRunId)
        .where('status', 'in', ['pending', 'running'])
        .compile();
      return true;
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
