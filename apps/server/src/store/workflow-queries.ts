/**
 * Workflow definitions in the store: a workflow row with its current definition, one row per
 * version, and the hidden tasks it owns (its driver, whose fires start runs, and one per inline
 * node and version). Creation, change and deletion are each one transaction (write-steps.ts),
 * their steps exported for apply's own transaction (definition-writes.ts).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, TasksTable, WorkflowsTable } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';
import { decodeCursor, toPage } from './pagination.js';
import { taskColumns, taskPatchColumns, toDbBool, toTaskRecord } from './row-mapping.js';
import { StoreConflictError, type Page, type PageRequest, type TaskPatch, type TaskRecord } from './store.js';
import { toWorkflowRecord, type WorkflowDefinition, type WorkflowRecord } from './workflow-records.js';
import type { WorkflowSave, WorkflowStore, WorkflowVersionRecord } from './workflow-store.js';
import type { Row, StepRunner, WriteSteps } from './write-steps.js';

export type WorkflowDefinitionStore = Pick<
  WorkflowStore,
  | 'createWorkflow'
  | 'updateWorkflow'
  | 'getWorkflow'
  | 'listWorkflows'
  | 'deleteWorkflow'
  | 'listWorkflowVersions'
  | 'getWorkflowVersion'
>;

export class WorkflowQueries implements WorkflowDefinitionStore {
  readonly #db: Kysely<Database>;

  constructor(
    db: Kysely<Database>,
    private readonly runSteps: StepRunner,
    private readonly now: () => number,
  ) {
    this.#db = db;
  }

  async createWorkflow(save: WorkflowSave): Promise<{ workflow: WorkflowRecord; driver: TaskRecord }> {
    const db = this.#db;
    const now = this.now();
    return mapConflict(
      'unique',
      () => nameTaken(save.name),
      () => this.runSteps(() => createWorkflowSteps(db, save, now)),
    );
  }

  async updateWorkflow(
    id: number,
    save: WorkflowSave,
    driverPatch: TaskPatch,
  ): Promise<{ workflow: WorkflowRecord; driver: TaskRecord | undefined } | undefined> {
    const db = this.#db;
    const now = this.now();
    return mapConflict(
      'unique',
      () => nameTaken(save.name),
      () => this.runSteps(() => updateWorkflowSteps(db, id, save, driverPatch, now)),
    );
  }

  async getWorkflow(id: number): Promise<WorkflowRecord | undefined> {
    const row = await this.#db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWorkflowRecord(row);
  }

  async listWorkflows(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<WorkflowRecord>> {
    const before = decodeCursor(page.cursor);
    let query = this.#db.selectFrom('workflows').selectAll();
    if (filter.namespaceId !== undefined)
      query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toWorkflowRecord), page.limit);
  }

  async deleteWorkflow(id: number): Promise<boolean> {
    const db = this.#db;
    return this.runSteps(() => deleteWorkflowSteps(db, id));
  }

  async listWorkflowVersions(id: number): Promise<{ version: number; createdAt: number }[]> {
    const rows = await this.#db
      .selectFrom('workflow_versions')
      .select(['version', 'created_at'])
      .where('workflow_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({ version: Number(r.version), createdAt: Number(r.created_at) }));
  }

  async getWorkflowVersion(id: number, version: number): Promise<WorkflowVersionRecord | undefined> {
    const row = await this.#db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('workflow_id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return (
      row && {
        version: Number(row.version),
        definition: JSON.parse(row.definition) as WorkflowDefinition,
        createdAt: Number(row.created_at),
      }
    );
  }
}

/** A new workflow (version 1) with its driver task and its inline nodes' hidden tasks. */
export function* createWorkflowSteps(
  db: Kysely<Database>,
  save: WorkflowSave,
  now: number,
): WriteSteps<{ workflow: WorkflowRecord; driver: TaskRecord }> {
  const [created] = yield db
    .insertInto('workflows')
    .values({
      namespace_id: save.namespaceId,
      app_id: save.appId,
      name: save.name,
      description: save.description,
      enabled: toDbBool(save.enabled),
      version: 1,
      definition: '{}',
      driver_task_id: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .compile();
  const id = Number(created!['id']);
  const driver = yield* insertTaskSteps(db, { ...save.driverTask, workflowId: id }, now);
  const definition = yield* withInlineTasks(db, id, save, now);
  const [row] = yield db
    .updateTable('workflows')
    .set({ definition: JSON.stringify(definition), driver_task_id: driver.id })
    .where('id', '=', id)
    .returningAll()
    .compile();
  yield* insertVersionSteps(db, id, 1, definition, now);
  return { workflow: toWorkflowRecord(row as unknown as Selectable<WorkflowsTable>), driver };
}

/** A new version of a workflow (undefined: no such workflow), its driver task patched. */
export function* updateWorkflowSteps(
  db: Kysely<Database>,
  id: number,
  save: WorkflowSave,
  driverPatch: TaskPatch,
  now: number,
): WriteSteps<{ workflow: WorkflowRecord; driver: TaskRecord | undefined } | undefined> {
  const [current] = yield db
    .selectFrom('workflows')
    .select(['version', 'driver_task_id'])
    .where('id', '=', id)
    .compile();
  if (!current) return undefined;
  const version = Number(current['version']) + 1;
  const definition = yield* withInlineTasks(db, id, save, now);
  const [row] = yield db
    .updateTable('workflows')
    .set({
      app_id: save.appId,
      name: save.name,
      description: save.description,
      enabled: toDbBool(save.enabled),
      version,
      definition: JSON.stringify(definition),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .compile();
  yield* insertVersionSteps(db, id, version, definition, now);
  let driver: TaskRecord | undefined;
  if (current['driver_task_id'] != null) {
    const [taskRow] = yield db
      .updateTable('tasks')
      .set(taskPatchColumns(driverPatch, now))
      .where('id', '=', Number(current['driver_task_id']))
      .returningAll()
      .compile();
    driver = taskRow ? toTaskRecord(taskRow as unknown as Selectable<TasksTable>) : undefined;
  }
  return { workflow: toWorkflowRecord(row as unknown as Selectable<WorkflowsTable>), driver };
}

/** A workflow with its hidden tasks; false: there was none. */
export function* deleteWorkflowSteps(db: Kysely<Database>, id: number): WriteSteps<boolean> {
  // Its hidden tasks' runs go with them (ON DELETE CASCADE); versions and runs with the workflow.
  yield db.deleteFrom('tasks').where('workflow_id', '=', id).compile();
  const deleted = yield db.deleteFrom('workflows').where('id', '=', id).returning('id').compile();
  return deleted.length > 0;
}

function* insertTaskSteps(
  db: Kysely<Database>,
  task: Parameters<typeof taskColumns>[0],
  now: number,
): WriteSteps<TaskRecord> {
  const [row] = yield db.insertInto('tasks').values(taskColumns(task, now)).returningAll().compile();
  return toTaskRecord(row as unknown as Selectable<TasksTable>);
}

/** The definition with each inline node's new hidden task created and its id filled in. */
function* withInlineTasks(
  db: Kysely<Database>,
  workflowId: number,
  save: WorkflowSave,
  now: number,
): WriteSteps<WorkflowDefinition> {
  const nodes = [];
  for (const node of save.definition.nodes) {
    const inline = save.inlineTasks[node.key];
    if (inline === undefined) {
      nodes.push(node);
      continue;
    }
    const task = yield* insertTaskSteps(db, { ...inline, workflowId }, now);
    nodes.push({ ...node, taskId: task.id });
  }
  return { ...save.definition, nodes };
}

function* insertVersionSteps(
  db: Kysely<Database>,
  workflowId: number,
  version: number,
  definition: WorkflowDefinition,
  now: number,
): WriteSteps<Row[]> {
  return yield db
    .insertInto('workflow_versions')
    .values({ workflow_id: workflowId, version, definition: JSON.stringify(definition), created_at: now })
    .compile();
}

function nameTaken(name: string): StoreConflictError {
  return new StoreConflictError(
    `name: a workflow named ${JSON.stringify(name)} exists already in this namespace`,
    'workflows_namespace_name_key',
  );
}

/** The workflow definition operations of a Kysely store (kysely-store-base.ts). */
export function workflowOperations(parts: {
  db: Kysely<Database>;
  runSteps: StepRunner;
  now: () => number;
}): WorkflowDefinitionStore {
  const q = new WorkflowQueries(parts.db, parts.runSteps, parts.now);
  return {
    createWorkflow: (save) => q.createWorkflow(save),
    updateWorkflow: (id, save, patch) => q.updateWorkflow(id, save, patch),
    getWorkflow: (id) => q.getWorkflow(id),
    listWorkflows: (filter, page) => q.listWorkflows(filter, page),
    deleteWorkflow: (id) => q.deleteWorkflow(id),
    listWorkflowVersions: (id) => q.listWorkflowVersions(id),
    getWorkflowVersion: (id, version) => q.getWorkflowVersion(id, version),
  };
}
