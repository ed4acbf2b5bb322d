/**
 * Writes of several statements, written once for both dialects and run in a real transaction on
 * each. A write is a generator that yields Kysely-compiled queries and receives their rows, so
 * its logic (read, decide, write what follows) exists once; a runner per dialect executes it:
 *
 * - SQLite: synchronously, on the server's one better-sqlite3 connection, inside the caller's
 *   synchronous transaction (the settlement's) or one of its own. A Kysely transaction there
 *   would be held across awaits, and the hot path's synchronous transactions (sqlite-hot-path.ts)
 *   would run inside it as savepoints: a rollback of ours would undo their run starts and ends.
 *   Run to its end without yielding to the event loop, nothing interleaves.
 * - PostgreSQL: on one connection, awaiting each statement, inside the caller's transaction (the
 *   settlement's) or a Kysely transaction of its own.
 *
 * Runs inserted by a write (a workflow's next nodes, a fan-out's items, child tasks' runs) are
 * one step of their own, which each runner writes its dialect's fastest way: on SQLite a cached
 * prepared statement per row, no row read back (sqlite-insert-planned-run.ts); on PostgreSQL one
 * statement over arrays, whatever the number of runs. A many-row INSERT … RETURNING * built by
 * Kysely cost SQLite 18 µs a run against 10.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { RunsTable } from './db-schema.js';
import { statementCache } from './cached-statements.js';
import { insertRunsQuery } from './hot-path/claim/postgres-insert-runs.js';
import { sqliteInsertPlannedRun } from './hot-path/claim/sqlite-insert-planned-run.js';
import { toRunRecord, type RunColumns } from './row-mapping.js';
import type { RunRecord, SettlementAlerts, SettlementSuccessors } from './store.js';

export type Row = Record<string, unknown>;
/** Runs to insert, ON CONFLICT DO NOTHING: the step answers the rows inserted (in any order). */
export interface InsertRunsStep {
  insertRuns: RunColumns[];
}
export type WriteStep = CompiledQuery | InsertRunsStep;
export type WriteSteps<T> = Generator<WriteStep, T, Row[]>;

/**
 * Inserts `runs` (one whose (task, slot) or (task, idempotency key) is taken is skipped) and
 * answers those inserted, oldest first.
 */
export function* insertRunsSteps(runs: RunColumns[]): WriteSteps<RunRecord[]> {
  if (runs.length === 0) return [];
  const rows = yield { insertRuns: runs };
  return rows.map((row) => toRunRecord(row as unknown as Selectable<RunsTable>)).sort((a, b) => a.id - b.id);
}

const isInsertRuns = (step: WriteStep): step is InsertRunsStep => 'insertRuns' in step;

/** A step as one PostgreSQL statement. */
function onPostgres(step: WriteStep): CompiledQuery {
  if (!isInsertRuns(step)) return step;
  const { sql, parameters } = insertRunsQuery(step.insertRuns);
  return CompiledQuery.raw(sql, parameters);
}
/** The steps writing a settlement's alerts, inside its transaction (alert-outbox.ts). */
export type SettlementAlertWrites = (
  runId: number,
  alerts: SettlementAlerts,
) => WriteSteps<{ deliveries: number }>;
/** The steps of a settlement's successors, inside its transaction (the store binds its Kysely). */
export type SettlementSuccessorWrites = (successors: SettlementSuccessors) => WriteSteps<RunRecord[]>;
/** Runs a write's steps in a transaction of their own. */
export type StepRunner = <T>(steps: () => WriteSteps<T>) => Promise<T>;

/** Runs steps in the caller's SQLite transaction, statements kept prepared by SQL text (bounded). */
export class SqliteSteps {
  readonly #prepare: (sql: string) => BetterSqlite3.Statement;
  readonly #insertRun: (run: RunColumns) => Row | undefined;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.#prepare = statementCache(db);
    this.#insertRun = sqliteInsertPlannedRun(db);
  }

  /** Inside a transaction the caller holds. */
  runInside<T>(steps: WriteSteps<T>): T {
    let next = steps.next();
    while (!next.done) {
      next = steps.next(this.#execute(next.value));
    }
    return next.value;
  }

  /** In a transaction of its own (IMMEDIATE: the write lock up front). */
  run<T>(steps: WriteSteps<T>): T {
    return this.db.transaction(() => this.runInside(steps)).immediate();
  }

  #execute(step: WriteStep): Row[] {
    if (isInsertRuns(step)) {
      const rows: Row[] = [];
      for (const run of step.insertRuns) {
        const row = this.#insertRun(run);
        if (row) rows.push(row);
      }
      return rows;
    }
    const query = step;
    const statement = this.#prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return statement.all(...parameters) as Row[];
    statement.run(...parameters);
    return [];
  }
}

/** Something that runs one SQL statement: a pg client inside a transaction. */
export interface PostgresQueryable {
  query<R extends Row>(sql: string, parameters: unknown[]): Promise<{ rows: R[] }>;
}

/** Runs steps on a PostgreSQL client inside the caller's transaction. */
export async function runStepsOnPostgres<T>(client: PostgresQueryable, steps: WriteSteps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const query = onPostgres(next.value);
    const result = await client.query(query.sql, query.parameters as unknown[]);
    next = steps.next(result.rows);
  }
  return next.value;
}

/** Runs steps in a Kysely transaction of their own (PostgreSQL only: see the top of this file). */
export function runStepsInKyselyTransaction<DB, T>(db: Kysely<DB>, steps: () => WriteSteps<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const run = steps();
    let next = run.next();
    while (!next.done) {
      const result = await tx.executeQuery<Row>(onPostgres(next.value));
      next = run.next(result.rows as Row[]);
    }
    return next.value;
  });
}
