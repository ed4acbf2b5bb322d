/**
 * The dialect-agnostic part of the Store: ordinary CRUD and listing through Kysely, shared by
 * the SQLite and PostgreSQL stores. The concurrency-critical operations are delegated to a
 * hand-written hot path per dialect (sqlite-hot-path.ts, postgres-hot-path.ts).
 *
 * Every method here is ONE SQL statement, never a Kysely transaction: on SQLite the hot path
 * runs its synchronous transactions on the same connection, and a transaction held across an
 * await here would let them interleave with it.
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
import { RunEventQueries } from './run-event-queries.js';
import { RunStatsQueries } from './run-stats-queries.js';
import { ExecutorQueries } from './executor-queries.js';
import { calendarOperations, type CalendarStore } from './calendar-queries.js';
import { outboundRulesOperations, type OutboundRulesStore } from './outbound-rules-queries.js';
import { secretOperations, type SecretStore } from './secret-queries.js';
import { nodeOperations } from './node-queries.js';
import { retentionOperations } from './retention-queries.js';
import type { RetentionStore, SpaceReport } from './retention-store.js';
import type { NodeStore } from './node-store.js';
import { alertOperations } from './alert-operations.js';
import type { AlertStore } from './alert-store.js';
import type { StepRunner } from './write-steps.js';
import { accessOperations } from './access-queries.js';
import { userOperations } from './user-queries.js';
import type { AccessStore } from './access-store.js';
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
  type StoreCapabilities,
  type TaskFilter,
  type TaskPatch,
  type TaskRecord,
} from './store.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';
import { workflowOperations } from './workflow-queries.js';
import { workflowRunOperations } from './workflow-run-queries.js';
import type { WorkflowStore } from './workflow-store.js';

/** The operations each dialect writes by hand. */
export type HotPath = Pick<
  Store,
  'claimDueTasks' | 'markRunsStarted' | 'admitRuns' | 'settleRuns' | 'renewLeases' | 'recoverRuns'
> &
  /** A dialect may also write logs by hand; otherwise the Kysely version is used. */
  Partial<Pick<Store, 'appendRunLogs'>>;

export interface KyselyStoreParts {
  dialect: Store['dialect'];
  capabilities: StoreCapabilities;
  db: Kysely<Database>;
  hotPath: HotPath;
  /** A dialect's faster run-event insert (SQLite: a cached prepared statement). */
  appendRunEvents?: Store['appendRunEvents'];
  setRunCheckpoint?: Store['setRunCheckpoint'];
  /** A dialect's faster per-run executor statements (SQLite: cached prepared statements). */
  executions?: Partial<
    Pick<
      Store,
      'insertExecution' | 'getExecution' | 'completeExecution' | 'takeQueuedExecutions' | 'takeKillRequests'
    >
  >;
  /** A dialect's own lease takeover (PostgreSQL: locks in id order, see postgres-takeover.ts). */
  expireLeasesOf?: NodeStore['expireLeasesOf'];
  /** The dialect has FOR UPDATE SKIP LOCKED (PostgreSQL): claims of several nodes skip each other's rows. */
  skipLocked?: boolean;
  /** The cluster-wide lock of the threshold evaluator (PostgreSQL); absent: always held. */
  holdEvaluatorLock?: () => Promise<boolean>;
  /** The cluster-wide lock of the run pruner (PostgreSQL); absent: always held. */
  holdPrunerLock?: () => Promise<boolean>;
  /** A dialect's step of giving free pages back to the file system (SQLite). */
  reclaimSpace?: (pages: number) => Promise<SpaceReport>;
  /** Runs multi-statement writes in a transaction of their own (write-steps.ts). */
  runSteps: StepRunner;
  now: () => number;
  /** Releases the connection(s) and anything else the store holds (the SQLite lock). */
  close: () => Promise<void>;
}

/**
 * A Store on Kysely: this class's run, catalog and executor operations, with the calendar, node
 * and alerting operations composed from their own modules (calendar-queries.ts, node-queries.ts,
 * alert-operations.ts), and the access ones (access-queries.ts).
 */
export function openKyselyStore(parts: KyselyStoreParts): Store {
  return Object.assign(
    new KyselyStore(parts),
    calendarOperations(parts),
    nodeOperations(parts),
    alertOperations(parts),
    outboundRulesOperations(parts),
    secretOperations(parts),
    accessOperations(parts),
    userOperations(parts),
    retentionOperations(parts),
    workflowOperations(parts),
    workflowRunOperations(parts),
  );
}

// ExecutorQueries extends RunQueries: the executor statements (issue 4) join the run queries.
export class KyselyStore
  extends ExecutorQueries
  implements
    Omit<
      Store,
      | keyof CalendarStore
      | keyof NodeStore
      | keyof AlertStore
      | keyof OutboundRulesStore
      | keyof SecretStore
      | keyof AccessStore
      | keyof RetentionStore
      | keyof WorkflowStore
    >
{
  readonly dialect: Store['dialect'];
  readonly capabilities: StoreCapabilities;
  readonly claimDueTasks: HotPath['claimDueTasks'];
  readonly markRunsStarted: HotPath['markRunsStarted'];
  readonly admitRuns: HotPath['admitRuns'];
  readonly settleRuns: HotPath['settleRuns'];
  readonly renewLeases: HotPath['renewLeases'];
  readonly recoverRuns: HotPath['recoverRuns'];
  readonly appendRunEvents: Store['appendRunEvents'];
  readonly listRunEvents: Store['listRunEvents'];
  readonly lastRunEventSeq: Store['lastRunEventSeq'];
  readonly setRunCheckpoint: Store['setRunCheckpoint'];
  readonly adoptResumableRuns: Store['adoptResumableRuns'];
  readonly runStats: Store['runStats'];
  readonly #close: () => Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(parts: KyselyStoreParts) {
    super(parts.db, parts.now);
    this.dialect = parts.dialect;
    this.capabilities = parts.capabilities;
    const hot = parts.hotPath;
    this.claimDueTasks = (options, plan) => hot.claimDueTasks(options, plan);
    this.markRunsStarted = (starts) => hot.markRunsStarted(starts);
    this.admitRuns = (requests) => hot.admitRuns(requests);
    this.settleRuns = (settlements) => hot.settleRuns(settlements);
    this.renewLeases = (owner, leaseExpiresAt) => hot.renewLeases(owner, leaseExpiresAt);
    this.recoverRuns = (options, decideLost) => hot.recoverRuns(options, decideLost);
    const appendRunLogs = hot.appendRunLogs?.bind(hot);
    if (appendRunLogs) this.appendRunLogs = appendRunLogs;
    const events = new RunEventQueries(parts.db);
    this.appendRunEvents = parts.appendRunEvents ?? ((entries) => events.appendRunEvents(entries));
    this.listRunEvents = (runId, afterSeq, limit) => events.listRunEvents(runId, afterSeq, limit);
    this.lastRunEventSeq = (runId) => events.lastRunEventSeq(runId);
    this.setRunCheckpoint =
      parts.setRunCheckpoint ?? ((runId, checkpoint) => events.setRunCheckpoint(runId, checkpoint));
    this.adoptResumableRuns = (options) => events.adoptResumableRuns(options);
    const stats = new RunStatsQueries(parts.db);
    this.runStats = (query) => stats.runStats(query);
    const x = parts.executions;
    if (x?.insertExecution) this.insertExecution = x.insertExecution;
    if (x?.getExecution) this.getExecution = x.getExecution;
    if (x?.completeExecution) this.completeExecution = x.completeExecution;
    if (x?.takeQueuedExecutions) this.takeQueuedExecutions = x.takeQueuedExecutions;
    if (x?.takeKillRequests) this.takeKillRequests = x.takeKillRequests;
    this.#close = parts.close;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

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
