/**
 * Prepared statements kept by SQL text, for Kysely's dialect on the SQLite connection
 * (sqlite-caching-dialect.ts) and the write steps run on it (write-steps.ts): Kysely's own
 * SQLite driver prepares a new statement for every query, and preparing costs more than running
 * most of ours (a primary-key read: ~25 µs to prepare, ~3 µs to run; bench/sqlite-statements.js).
 * The cache is bounded (least recently used dropped): SQL texts vary with the length of `IN`
 * lists and multi-row inserts.
 *
 * Safe to share: better-sqlite3 runs a statement to its end synchronously, so one prepared
 * statement is never in use twice at once. A stream, which leaves its statement half-iterated
 * between rows, gets a statement of its own (the dialect sees to it).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export const STATEMENT_CACHE_SIZE = 500;

/** Prepares by SQL text through a bounded cache (least recently used dropped). */
export function statementCache(
  db: BetterSqlite3.Database,
  size = STATEMENT_CACHE_SIZE,
): (sql: string) => BetterSqlite3.Statement {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement) {
      // Most recently used last: Map keeps insertion order.
      statements.delete(sql);
    } else {
      statement = db.prepare(sql);
      if (statements.size >= size) statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, statement);
    return statement;
  };
}

/** The connection as Kysely's SQLite driver sees it, its statements from a statementCache. */
export function withCachedStatements(
  db: BetterSqlite3.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const prepare = statementCache(db, size);
  return {
    close: () => db.close(),
    prepare: (sql: string) => prepare(sql) as unknown as SqliteStatement,
  };
}
