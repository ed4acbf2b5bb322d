/**
 * Inserts one execution (one dispatch of a run, or of one shard of it, to one executor) on
 * SQLite, on a prepared statement kept for the connection's life. Used alone by the executor
 * job type, and inside the start's transaction for the executions written with a run's start.
 * Atomic by itself; inside a transaction it commits with it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { toExecutionRecord } from '../../executor-queries.js';
import type { ExecutionsTable } from '../../db-schema.js';
import type { ExecutionRecord, NewExecution } from '../../executor-records.js';

export type InsertExecution = (execution: NewExecution) => ExecutionRecord;

export function sqliteInsertExecution(db: BetterSqlite3.Database): InsertExecution {
  const insert = db.prepare(
    `INSERT INTO executions (run_id, task_id, app_id, shard_index, shard_total, executor_address,
       status, trigger_body, handle_code, handle_msg, kill_requested_at, created_at, finished_at)
     VALUES (@runId, @taskId, @appId, @shardIndex, @shardTotal, @executorAddress,
       @status, @trigger, NULL, NULL, NULL, @createdAt, NULL)
     RETURNING *`,
  );
  return (execution) =>
    toExecutionRecord(
      insert.get({
        runId: execution.runId,
        taskId: execution.taskId,
        appId: execution.appId,
        shardIndex: execution.shardIndex,
        shardTotal: execution.shardTotal,
        executorAddress: execution.executorAddress,
        status: execution.status,
        trigger: JSON.stringify(execution.trigger),
        createdAt: execution.createdAt,
      }) as Selectable<ExecutionsTable>,
    );
}
