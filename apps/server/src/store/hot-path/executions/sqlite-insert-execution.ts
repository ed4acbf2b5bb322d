/**
 * Inserts one execution (one dispatch of a run, or of one shard of it, to one executor) on
 * SQLite, on a prepared statement kept for the connection's life. Used alone by the executor
 * job type, and inside the start's transaction for the executions written with a run's start.
 * Atomic by itself; inside a transaction it commits with it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ExecutionRecord, NewExecution } from '../../executor-records.js';

export type InsertExecution = (execution: NewExecution) => ExecutionRecord;

export function sqliteInsertExecution(db: BetterSqlite3.Database): InsertExecution {
  const insert = db.prepare(
    `INSERT INTO executions (run_id, task_id, app_id, shard_index, shard_total, executor_address,
       status, trigger_body, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (execution) => {
    const { lastInsertRowid } = insert.run(
      execution.runId,
      execution.taskId,
      execution.appId,
      execution.shardIndex,
      execution.shardTotal,
      execution.executorAddress,
      execution.status,
      JSON.stringify(execution.trigger),
      execution.createdAt,
    );
    const id = Number(lastInsertRowid);
    // The new row as stored (the columns' defaults: retryable 1, log_lines 0, the rest NULL),
    // built here rather than read back: its trigger would be parsed again from its JSON.
    return {
      id,
      runId: execution.runId,
      taskId: execution.taskId,
      appId: execution.appId,
      shardIndex: execution.shardIndex,
      shardTotal: execution.shardTotal,
      executorAddress: execution.executorAddress,
      status: execution.status,
      trigger: { ...execution.trigger, logId: id, logDateTime: execution.createdAt },
      handleCode: null,
      handleMsg: null,
      retryable: true,
      logLines: 0,
      killRequestedAt: null,
      createdAt: execution.createdAt,
      finishedAt: null,
    };
  };
}
