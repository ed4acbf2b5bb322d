/**
 * Kysely's dialect for the SQLite connection, with prepared statements kept by SQL text
 * (cached-statements.ts, bounded, least recently used dropped) and no Kysely transactions.
 *
 * Kysely's own SQLite driver prepares a statement for every query and serialises queries with a
 * mutex so that a transaction holds the one connection across its awaits. Here:
 * - statements come from the cache (a primary-key read: ~25 µs to prepare, ~3 µs to run;
 *   bench/sqlite-statements.js);
 * - there is no mutex: better-sqlite3 runs each statement to its end synchronously, so nothing
 *   can interleave with one, and without transactions nothing else needs the connection held;
 * - a transaction is refused at once: the hot path runs its synchronous transactions on the same
 *   connection, and a Kysely transaction held across an await would take them in as savepoints
 *   (committed or rolled back with it). Several statements that must commit together are
 *   written as steps (write-steps.ts) and run in a synchronous transaction.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { STATEMENT_CACHE_SIZE, withCachedStatements } from './cached-statements.js';

export const SQLITE_TRANSACTION_REFUSED =
  'Kysely transactions are refused on the SQLite connection: the hot path runs its own ' +
  'synchronous transactions on it, and one held across an await would take them in. ' +
  'Write statements that must commit together as steps (write-steps.ts).';

export class CachingSqliteDialect implements Dialect {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly cacheSize = STATEMENT_CACHE_SIZE,
  ) {}

  createDriver(): Driver {
    return new CachingSqliteDriver(this.db, this.cacheSize);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class CachingSqliteDriver implements Driver {
  readonly #connection: CachingSqliteConnection;

  constructor(
    private readonly db: BetterSqlite3.Database,
    cacheSize: number,
  ) {
    this.#connection = new CachingSqliteConnection(db, withCachedStatements(db, cacheSize));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {}

  beginTransaction(): Promise<void> {
    return Promise.reject(new Error(SQLITE_TRANSACTION_REFUSED));
  }

  commitTransaction(): Promise<void> {
    return Promise.reject(new Error(SQLITE_TRANSACTION_REFUSED));
  }

  rollbackTransaction(): Promise<void> {
    return Promise.reject(new Error(SQLITE_TRANSACTION_REFUSED));
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}

class CachingSqliteConnection implements DatabaseConnection {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly statements: ReturnType<typeof withCachedStatements>,
  ) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statements.prepare(compiled.sql) as unknown as BetterSqlite3.Statement;
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  /** A statement of its own: one left half-iterated must not be the cached one a query reuses. */
  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('only SELECT queries can be streamed');
    const statement = this.db.prepare(compiled.sql);
    for (const row of statement.iterate(compiled.parameters as unknown[])) yield { rows: [row as R] };
  }
}
