/**
 * The catalog in the store: namespaces, apps and tasks (create, read, list, update, delete), with
 * uniqueness and foreign keys turned into StoreConflictError. Each method is one statement, never
 * a Kysely transaction (see kysely-store-base.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { decodeCursor, toPage } from './pagination.js';
import {
  appColumns,
  appPatchColumns,
  taskColumns,
  taskPatchColumns,
  toAppRecord,
  toNamespaceRecord,
  toTaskRecord,
} from './row-mapping.js';
import {
  StoreConflictError,
  type AppPatch,
  type AppRecord,
  type NamespaceRecord,
  type NewApp,
  type NewTask,
  type Page,
  type PageRequest,
  type Store,
  type TaskFilter,
  type TaskPatch,
  type TaskRecord,
} from './store.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';

export type CatalogStore = Pick<
  Store,
  | 'ensureNamespace'
  | 'createNamespace'
  | 'getNamespace'
  | 'getNamespaceByName'
  | 'listNamespaces'
  | 'createApp'
  | 'getApp'
  | 'getAppByName'
  | 'listApps'
  | 'updateApp'
  | 'deleteApp'
  | 'createTask'
  | 'getTask'
  | 'getTasks'
  | 'listTasks'
  | 'updateTask'
  | 'deleteTask'
  | 'countTasks'
  | 'listTasksUsingCalendar'
>;

class CatalogQueries implements CatalogStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  // ------------------------------------------------------------ namespaces

  async ensureNamespace(name: string): Promise<NamespaceRecord> {
    // INSERT … ON CONFLICT DO NOTHING, then read: two callers racing both end with the one row.
    await this.db
      .insertInto('namespaces')
      .values({ name, description: null, created_at: this.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const found = await this.getNamespaceByName(name);
    if (found === undefined) throw new Error(`namespace ${name} vanished right after it was ensured`);
    return found;
  }

  async createNamespace(ns: { name: string; description: string | null }): Promise<NamespaceRecord> {
    const row = await mapConflict(
      'unique',
      () => new StoreConflictError(`Namespace "${ns.name}" exists already`, 'namespaces_name_key'),
      () =>
        this.db
          .insertInto('namespaces')
          .values({ name: ns.name, description: ns.description, created_at: this.now() })
          .returningAll()
          .executeTakeFirstOrThrow(),
    );
    return toNamespaceRecord(row);
  }

  async getNamespace(id: number): Promise<NamespaceRecord | undefined> {
    const row = await this.db.selectFrom('namespaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toNamespaceRecord(row);
  }

  async getNamespaceByName(name: string): Promise<NamespaceRecord | undefined> {
    const row = await this.db
      .selectFrom('namespaces')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toNamespaceRecord(row);
  }

  async listNamespaces(): Promise<NamespaceRecord[]> {
    const rows = await this.db.selectFrom('namespaces').selectAll().orderBy('name').execute();
    return rows.map(toNamespaceRecord);
  }

  // ------------------------------------------------------------ apps

  async createApp(app: NewApp): Promise<AppRecord> {
    const row = await mapConflict(
      'unique',
      () =>
        new StoreConflictError(
          `App "${app.appName}" exists already in this namespace`,
          'apps_namespace_app_name_key',
        ),
      () =>
        this.db
          .insertInto('apps')
          .values(appColumns(app, this.now()))
          .returningAll()
          .executeTakeFirstOrThrow(),
    );
    return toAppRecord(row);
  }

  async getApp(id: number): Promise<AppRecord | undefined> {
    const row = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAppRecord(row);
  }

  async getAppByName(namespaceId: number, appName: string): Promise<AppRecord | undefined> {
    const row = await this.db
      .selectFrom('apps')
      .selectAll()
      .where('namespace_id', '=', namespaceId)
      .where('app_name', '=', appName)
      .executeTakeFirst();
    return row && toAppRecord(row);
  }

  async listApps(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<AppRecord>> {
    const before = decodeCursor(page.cursor);
    let query = this.db.selectFrom('apps').selectAll();
    if (filter.namespaceId !== undefined)
      query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toAppRecord), page.limit);
  }

  async updateApp(id: number, patch: AppPatch): Promise<AppRecord | undefined> {
    const row = await this.db
      .updateTable('apps')
      .set(appPatchColumns(patch, this.now()))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toAppRecord(row);
  }

  async deleteApp(id: number): Promise<boolean> {
    // The tasks.app_id foreign key refuses the delete atomically; a count-then-delete would race
    // with a task being created for the app.
    const result = await mapConflict(
      'foreign_key',
      () =>
        new StoreConflictError(
          `App ${id} still has tasks: delete them or move them to another app first`,
          'tasks_app_id_fkey',
        ),
      () => this.db.deleteFrom('apps').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  // ------------------------------------------------------------ tasks

  async createTask(task: NewTask): Promise<TaskRecord> {
    const row = await mapConflict('foreign_key', missingReference, () =>
      this.db
        .insertInto('tasks')
        .values(taskColumns(task, this.now()))
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toTaskRecord(row);
  }

  async getTask(id: number): Promise<TaskRecord | undefined> {
    const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTaskRecord(row);
  }

  async getTasks(ids: readonly number[]): Promise<TaskRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toTaskRecord);
  }

  async listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRecord>> {
    const before = decodeCursor(page.cursor);
    // A workflow's own tasks (its fires, its inline nodes) are shown with the workflow.
    let query = this.db.selectFrom('tasks').selectAll().where('workflow_id', 'is', null);
    if (filter.namespaceId !== undefined)
      query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
    if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
    if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toTaskRecord), page.limit);
  }

  async updateTask(id: number, patch: TaskPatch): Promise<TaskRecord | undefined> {
    const row = await mapConflict('foreign_key', missingReference, () =>
      this.db
        .updateTable('tasks')
        .set(taskPatchColumns(patch, this.now()))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row && toTaskRecord(row);
  }

  async deleteTask(id: number): Promise<boolean> {
    // runs and run_logs go with it: ON DELETE CASCADE, in the same statement.
    const result = await this.db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countTasks(): Promise<number> {
    const row = await this.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listTasksUsingCalendar(calendarId: number): Promise<TaskRecord[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('calendar_id', '=', calendarId)
      .orderBy('id')
      .execute();
    return rows.map(toTaskRecord);
  }
}

/** A task's app or calendar was deleted between the caller's check and this write. */
function missingReference(): StoreConflictError {
  return new StoreConflictError(
    'The task refers to an app or a calendar that does not exist (any more)',
    'tasks_references',
  );
}

export function catalogOperations(parts: { db: Kysely<Database>; now: () => number }): CatalogStore {
  const catalog = new CatalogQueries(parts.db, parts.now);
  return {
    ensureNamespace: (name) => catalog.ensureNamespace(name),
    createNamespace: (ns) => catalog.createNamespace(ns),
    getNamespace: (id) => catalog.getNamespace(id),
    getNamespaceByName: (name) => catalog.getNamespaceByName(name),
    listNamespaces: () => catalog.listNamespaces(),
    createApp: (app) => catalog.createApp(app),
    getApp: (id) => catalog.getApp(id),
    getAppByName: (namespaceId, appName) => catalog.getAppByName(namespaceId, appName),
    listApps: (filter, page) => catalog.listApps(filter, page),
    updateApp: (id, patch) => catalog.updateApp(id, patch),
    deleteApp: (id) => catalog.deleteApp(id),
    createTask: (task) => catalog.createTask(task),
    getTask: (id) => catalog.getTask(id),
    getTasks: (ids) => catalog.getTasks(ids),
    listTasks: (filter, page) => catalog.listTasks(filter, page),
    updateTask: (id, patch) => catalog.updateTask(id, patch),
    deleteTask: (id) => catalog.deleteTask(id),
    countTasks: () => catalog.countTasks(),
    listTasksUsingCalendar: (calendarId) => catalog.listTasksUsingCalendar(calendarId),
  };
}
