/**
 * Executors, manual address lists and executions through Kysely. Each method is one
 * statement, as in run-queries.ts, so SQLite's single connection never interleaves a transaction
 * held across an await. The statements that decide "who completes an execution" are conditional
 * UPDATEs (`handle_code IS NULL`): whichever caller's UPDATE matches the row wins, the others get
 * no row back, on both dialects and on any number of nodes.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ExecutionsTable, ExecutorsTable } from './db-schema.js';
import type {
  ExecutionRecord,
  ExecutionResult,
  ExecutionStatus,
  ExecutorMode,
  ExecutorProtocol,
  ExecutorRecord,
  NewExecution,
} from './executor-records.js';
import type { AppRecord } from './records.js';
import type { ExecutorStore } from './executor-store.js';
import { toAppRecord } from './row-mapping.js';

function toExecutorRecord(row: Selectable<ExecutorsTable>): ExecutorRecord {
  return {
    id: row.id,
    appId: row.app_id,
    address: row.address,
    mode: row.mode as ExecutorMode,
    protocol: row.protocol as ExecutorProtocol,
    registeredAt: row.registered_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    removedAt: row.removed_at,
    sealedToken: row.sealed_token,
  };
}

export function toExecutionRecord(row: Selectable<ExecutionsTable>): ExecutionRecord {
  // The parsed body itself gets the row's id and time (no copy: it is this record's own).
  const trigger = JSON.parse(row.trigger_body) as Record<string, unknown>;
  trigger.logId = row.id;
  trigger.logDateTime = row.created_at;
  return {
    id: row.id,
    runId: row.run_id,
    taskId: row.task_id,
    appId: row.app_id,
    shardIndex: row.shard_index,
    shardTotal: row.shard_total,
    executorAddress: row.executor_address,
    status: row.status as ExecutionStatus,
    trigger,
    handleCode: row.handle_code,
    handleMsg: row.handle_msg,
    retryable: row.retryable === true || row.retryable === 1,
    logLines: row.log_lines,
    killRequestedAt: row.kill_requested_at,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

class ExecutorQueries implements ExecutorStore {
  constructor(private readonly db: Kysely<Database>) {}

  // ------------------------------------------------------------ executors

  async upsertExecutor(executor: {
    appId: number;
    address: string;
    mode: ExecutorMode;
    protocol: ExecutorProtocol;
    at: number;
    sealedToken?: string | null | undefined;
  }): Promise<ExecutorRecord> {
    // One upsert on the unique (app_id, address): concurrent heartbeats of one executor on two
    // nodes end with one row (XXL-JOB before 2.5 did update-then-insert and got duplicates, #2256).
    const row = await this.db
      .insertInto('executors')
      .values({
        app_id: executor.appId,
        address: executor.address,
        mode: executor.mode,
        protocol: executor.protocol,
        registered_at: executor.at,
        last_heartbeat_at: executor.at,
        removed_at: null,
        sealed_token: executor.sealedToken ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['app_id', 'address']).doUpdateSet({
          mode: executor.mode,
          protocol: executor.protocol,
          last_heartbeat_at: executor.at,
          removed_at: null,
          ...(executor.sealedToken ? { sealed_token: executor.sealedToken } : {}),
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toExecutorRecord(row);
  }

  /** Marks the executor unregistered: no longer routable; its running work is kept. */
  async removeExecutor(appId: number, address: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('executors')
      .set({ removed_at: at })
      .where('app_id', '=', appId)
      .where('address', '=', address)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Executors of the apps (all apps when absent), by app then address. */
  async listExecutors(filter: { appIds?: number[] | undefined }): Promise<ExecutorRecord[]> {
    let query = this.db.selectFrom('executors').selectAll();
    if (filter.appIds !== undefined) {
      if (filter.appIds.length === 0) return [];
      query = query.where('app_id', 'in', filter.appIds);
    }
    const rows = await query.orderBy('app_id').orderBy('address').execute();
    return rows.map(toExecutorRecord);
  }

  /** Registered executors that heartbeat at or after `since`, sorted by address (XXL-JOB's order). */
  async listLiveExecutors(appId: number, since: number): Promise<ExecutorRecord[]> {
    const rows = await this.db
      .selectFrom('executors')
      .selectAll()
      .where('app_id', '=', appId)
      .where('last_heartbeat_at', '>=', since)
      .where('removed_at', 'is', null)
      .orderBy('address')
      .execute();
    return rows.map(toExecutorRecord);
  }

  async appTokenHashExists(hash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('apps')
      .select('id')
      .where('access_token_hash', '=', hash)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Apps with this appName, in any namespace (an XXL-JOB executor names only its appName). */
  async listAppsByAppName(appName: string): Promise<AppRecord[]> {
    const rows = await this.db
      .selectFrom('apps')
      .selectAll()
      .where('app_name', '=', appName)
      .orderBy('id')
      .execute();
    return rows.map(toAppRecord);
  }

  // ------------------------------------------------------------ manual address lists

  /** null removes the list (the app routes to registered executors again). */
  async setAppExecutorAddresses(appId: number, addresses: string[] | null, at: number): Promise<void> {
    if (addresses === null) {
      await this.db.deleteFrom('app_executor_addresses').where('app_id', '=', appId).execute();
      return;
    }
    const text = JSON.stringify(addresses);
    await this.db
      .insertInto('app_executor_addresses')
      .values({ app_id: appId, addresses: text, updated_at: at })
      .onConflict((oc) => oc.column('app_id').doUpdateSet({ addresses: text, updated_at: at }))
      .execute();
  }

  async getAppExecutorAddresses(appId: number): Promise<string[] | null> {
    const row = await this.db
      .selectFrom('app_executor_addresses')
      .select('addresses')
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row === undefined ? null : (JSON.parse(row.addresses) as string[]);
  }

  // ------------------------------------------------------------ executions

  async insertExecution(execution: NewExecution): Promise<ExecutionRecord> {
    const row = await this.db
      .insertInto('executions')
      .values({
        run_id: execution.runId,
        task_id: execution.taskId,
        app_id: execution.appId,
        shard_index: execution.shardIndex,
        shard_total: execution.shardTotal,
        executor_address: execution.executorAddress,
        status: execution.status,
        trigger_body: JSON.stringify(execution.trigger),
        handle_code: null,
        handle_msg: null,
        kill_requested_at: null,
        created_at: execution.createdAt,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toExecutionRecord(row);
  }

  async getExecution(id: number): Promise<ExecutionRecord | undefined> {
    const row = await this.db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toExecutionRecord(row);
  }

  async listExecutionsOfRun(runId: number): Promise<ExecutionRecord[]> {
    const rows = await this.db
      .selectFrom('executions')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    return rows.map(toExecutionRecord);
  }

  /**
   * Completes an execution that is not complete yet. Returns it, or undefined when it is unknown
   * or was completed before (a repeated callback): the conditional UPDATE makes that decision
   * atomic, so two nodes receiving the same callback complete it once.
   */
  async completeExecution(
    id: number,
    result: ExecutionResult,
    appIds?: number[],
  ): Promise<ExecutionRecord | undefined> {
    if (appIds !== undefined && appIds.length === 0) return undefined;
    let query = this.db
      .updateTable('executions')
      .set({
        status: result.status,
        handle_code: result.handleCode,
        handle_msg: result.handleMsg,
        retryable: result.retryable ? 1 : 0,
        finished_at: result.finishedAt,
      })
      .where('id', '=', id)
      .where('handle_code', 'is', null);
    if (appIds !== undefined) query = query.where('app_id', 'in', appIds);
    const row = await query.returningAll().executeTakeFirst();
    return row && toExecutionRecord(row);
  }

  /** Of these executions, the ones completed (by a callback on any node, or found lost). */
  async listCompletedExecutions(ids: number[]): Promise<ExecutionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('executions')
      .selectAll()
      .where('id', 'in', ids)
      .where('handle_code', 'is not', null)
      .execute();
    return rows.map(toExecutionRecord);
  }

  /**
   * Hands a pull executor its queued executions, oldest first. The UPDATE re-checks
   * `status = 'queued'` on each row, so two polls (two nodes) never take the same one: on
   * PostgreSQL the second waits for the first's row lock and then finds the status changed.
   */
  async takeQueuedExecutions(appId: number, address: string, limit: number): Promise<ExecutionRecord[]> {
    const rows = await this.db
      .updateTable('executions')
      .set({ status: 'dispatched' })
      .where('status', '=', 'queued')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('executions')
          .select('id')
          .where('app_id', '=', appId)
          .where('executor_address', '=', address)
          .where('status', '=', 'queued')
          // States the open-execution index's condition (migration 0023): queued is open.
          .where('handle_code', 'is', null)
          .orderBy('id')
          .limit(limit),
      )
      .returningAll()
      .execute();
    return rows.map(toExecutionRecord).sort((a, b) => a.id - b.id);
  }

  /** Records a kill request (pull executors read it on their next poll). */
  async requestExecutionKill(ids: number[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('executions')
      .set({ kill_requested_at: at })
      .where('id', 'in', ids)
      .where('kill_requested_at', 'is', null)
      .execute();
  }

  /**
   * Takes the kill requests for the executor's executions: each is handed out once (the request
   * is cleared as it is read), whatever node the executor polls.
   */
  async takeKillRequests(appId: number, address: string): Promise<number[]> {
    const rows = await this.db
      .updateTable('executions')
      .set({ kill_requested_at: null })
      .where('app_id', '=', appId)
      .where('executor_address', '=', address)
      .where('kill_requested_at', 'is not', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  /**
   * Completes as `lost` the open executions of executors whose last heartbeat is before
   * `cutoff`. Returns those this call completed. Executions sent to manual addresses (no
   * executor row) are never lost this way: nothing says whether such an executor lives.
   */
  async loseExecutionsOfDeadExecutors(
    cutoff: number,
    at: number,
    message: string,
  ): Promise<ExecutionRecord[]> {
    const rows = await this.db
      .updateTable('executions')
      .set({ status: 'lost', handle_code: 500, handle_msg: message, finished_at: at })
      .where('handle_code', 'is', null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('executors')
            .select(sql`1`.as('one'))
            .whereRef('executors.app_id', '=', 'executions.app_id')
            .whereRef('executors.address', '=', 'executions.executor_address')
            .where('executors.last_heartbeat_at', '<', cutoff),
        ),
      )
      .returningAll()
      .execute();
    return rows.map(toExecutionRecord);
  }

  /** Moves the log cursor from `from` to `to` lines; false if another reader moved it first. */
  async advanceExecutionLog(id: number, from: number, to: number): Promise<boolean> {
    const result = await this.db
      .updateTable('executions')
      .set({ log_lines: to })
      .where('id', '=', id)
      .where('log_lines', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Open executions per executor address of an app (the executor listing's "running"). */
  async countOpenExecutions(appId: number): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('executions')
      .select(['executor_address', (eb) => eb.fn.countAll().as('n')])
      .where('app_id', '=', appId)
      .where('handle_code', 'is', null)
      .groupBy('executor_address')
      .execute();
    return new Map(rows.map((r) => [r.executor_address, Number(r.n)]));
  }

  /** Open executions of one task on one executor (busyover for pull executors). */
  async countOpenExecutionsOfTask(appId: number, address: string, taskId: number): Promise<number> {
    const row = await this.db
      .selectFrom('executions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('app_id', '=', appId)
      .where('executor_address', '=', address)
      .where('task_id', '=', taskId)
      .where('handle_code', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

export function executorOperations(parts: { db: Kysely<Database> }): ExecutorStore {
  const executors = new ExecutorQueries(parts.db);
  return {
    upsertExecutor: (...args) => executors.upsertExecutor(...args),
    removeExecutor: (...args) => executors.removeExecutor(...args),
    listExecutors: (...args) => executors.listExecutors(...args),
    listLiveExecutors: (...args) => executors.listLiveExecutors(...args),
    appTokenHashExists: (...args) => executors.appTokenHashExists(...args),
    listAppsByAppName: (...args) => executors.listAppsByAppName(...args),
    setAppExecutorAddresses: (...args) => executors.setAppExecutorAddresses(...args),
    getAppExecutorAddresses: (...args) => executors.getAppExecutorAddresses(...args),
    insertExecution: (...args) => executors.insertExecution(...args),
    getExecution: (...args) => executors.getExecution(...args),
    listExecutionsOfRun: (...args) => executors.listExecutionsOfRun(...args),
    completeExecution: (...args) => executors.completeExecution(...args),
    listCompletedExecutions: (...args) => executors.listCompletedExecutions(...args),
    takeQueuedExecutions: (...args) => executors.takeQueuedExecutions(...args),
    requestExecutionKill: (...args) => executors.requestExecutionKill(...args),
    takeKillRequests: (...args) => executors.takeKillRequests(...args),
    loseExecutionsOfDeadExecutors: (...args) => executors.loseExecutionsOfDeadExecutors(...args),
    advanceExecutionLog: (...args) => executors.advanceExecutionLog(...args),
    countOpenExecutions: (...args) => executors.countOpenExecutions(...args),
    countOpenExecutionsOfTask: (...args) => executors.countOpenExecutionsOfTask(...args),
  };
}
