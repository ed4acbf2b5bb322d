/**
 * The per-run executor statements on SQLite, by hand, with prepared
 * statements cached. Through Kysely, better-sqlite3 prepares a fresh statement on every call:
 * about three per executor run (insert, complete, and the pull executor's take), which made
 * statement preparation the largest cost of dispatching at 1,000 runs/s. (Naming the run's
 * executor is part of finishing the run.)
 *
 * Each method is atomic, with the same conditions as its Kysely version in executor-queries.ts
 * (the conditional UPDATEs decide who completes an execution and who takes a queued one); the
 * contract tests run both. The take differs in form: a pull executor's every poll asks for its
 * queued executions and most polls find none, so it first reads the queued ids (from the index of
 * open executions, ~15 µs here) and writes only when there are some, one UPDATE by id each in one
 * transaction. The single UPDATE … WHERE id IN (SELECT … LIMIT) cost ~90 µs even when it matched
 * nothing and ~160 µs when it took one: two of them per pull run.
 *
 * Still by hand now that Kysely's statements are kept prepared (sqlite-caching-dialect.ts):
 * building and compiling the query costs more than running it. The same operations through
 * Kysely on that dialect took, per call (bench/sqlite-replacements.js, same file and run, rounds
 * alternating, shared machine under load): insertExecution 2.5x these, getExecution 3.1x,
 * completeExecution 2.6x, an empty take 10x, a take of one 1.8x, takeKillRequests 3.2x.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { toExecutionRecord } from './executor-queries.js';
import type { ExecutionsTable } from './db-schema.js';
import type { ExecutionRecord, ExecutionResult, NewExecution } from './executor-records.js';
import type { Store } from './store.js';
import { sqliteInsertExecution } from './hot-path/executions/sqlite-insert-execution.js';
import { TurnBatch } from './turn-batch.js';

export type SqliteExecutionMethods = Pick<
  Store,
  'insertExecution' | 'getExecution' | 'completeExecution' | 'takeQueuedExecutions' | 'takeKillRequests'
>;

type Row = Selectable<ExecutionsTable>;

interface CompletionValues {
  id: number;
  status: string;
  handleCode: number;
  handleMsg: string | null;
  retryable: number;
  finishedAt: number;
  /** Only executions of these apps (JSON list). */
  appIds?: string;
}

export function sqliteExecutions(db: BetterSqlite3.Database): SqliteExecutionMethods {
  const insert = sqliteInsertExecution(db);
  const get = db.prepare('SELECT * FROM executions WHERE id = ?');
  const set = `status = @status, handle_code = @handleCode, handle_msg = @handleMsg,
    retryable = @retryable, finished_at = @finishedAt`;
  const complete = db.prepare(
    `UPDATE executions SET ${set} WHERE id = @id AND handle_code IS NULL RETURNING *`,
  );
  // The app list as one JSON parameter: one cached statement whatever the number of apps.
  const completeOfApps = db.prepare(
    `UPDATE executions SET ${set}
     WHERE id = @id AND handle_code IS NULL AND app_id IN (SELECT value FROM json_each(@appIds))
     RETURNING *`,
  );
  const queuedIds = db
    .prepare(
      `SELECT id FROM executions
       WHERE app_id = ? AND executor_address = ? AND status = 'queued' AND handle_code IS NULL
       ORDER BY id LIMIT ?`,
    )
    .pluck();
  const takeOne = db.prepare(
    `UPDATE executions SET status = 'dispatched' WHERE id = ? AND status = 'queued' RETURNING *`,
  );
  const takeAll = db.transaction((ids: number[]): Row[] => {
    const rows: Row[] = [];
    for (const id of ids) {
      const row = takeOne.get(id) as Row | undefined;
      if (row) rows.push(row);
    }
    return rows;
  });
  const takeKills = db
    .prepare(
      `UPDATE executions SET kill_requested_at = NULL
       WHERE app_id = ? AND executor_address = ? AND kill_requested_at IS NOT NULL
       RETURNING id`,
    )
    .pluck();

  // Completions arriving in one turn of the event loop (executors report each run on its own)
  // are committed together: each alone was a commit of its own, the largest cost of a pull run.
  const completions = new TurnBatch(
    db.transaction((items: CompletionValues[]) =>
      items.map(
        (values) =>
          ('appIds' in values ? completeOfApps.get(values) : complete.get(values)) as Row | undefined,
      ),
    ),
  );

  return {
    async insertExecution(execution: NewExecution): Promise<ExecutionRecord> {
      return insert(execution);
    },

    async getExecution(id: number): Promise<ExecutionRecord | undefined> {
      const row = get.get(id) as Row | undefined;
      return row && toExecutionRecord(row);
    },

    async completeExecution(
      id: number,
      result: ExecutionResult,
      appIds?: number[],
    ): Promise<ExecutionRecord | undefined> {
      if (appIds !== undefined && appIds.length === 0) return undefined;
      const values = {
        id,
        status: result.status,
        handleCode: result.handleCode,
        handleMsg: result.handleMsg,
        retryable: result.retryable ? 1 : 0,
        finishedAt: result.finishedAt,
      };
      const row = await completions.add(
        appIds === undefined ? values : { ...values, appIds: JSON.stringify(appIds) },
      );
      return row && toExecutionRecord(row);
    },

    async takeQueuedExecutions(appId: number, address: string, limit: number): Promise<ExecutionRecord[]> {
      // Read and write run back to back on this one connection: nothing can take them in between.
      const ids = queuedIds.all(appId, address, limit) as number[];
      if (ids.length === 0) return [];
      return takeAll(ids).map(toExecutionRecord);
    },

    async takeKillRequests(appId: number, address: string): Promise<number[]> {
      return (takeKills.all(appId, address) as number[]).sort((a, b) => a - b);
    },
  };
}
