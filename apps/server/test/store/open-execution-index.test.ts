/**
 * The questions asked of open executions on SQLite are answered from the index of open executions
 * (migration 0023), never by reading every execution ever made: a pull executor's queue, the open
 * counts per executor and per task, and the lost-executor sweep, which runs every few seconds and
 * used to read the whole table. SQLite takes a partial index only when the query states its
 * condition, so each statement is caught as the store issues it and its plan checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database as Schema } from '../../src/store/db-schema.js';
import { executorOperations } from '../../src/store/executor-queries.js';
import { CachingSqliteDialect } from '../../src/store/sqlite-caching-dialect.js';
import { sqliteExecutions } from '../../src/store/sqlite-executions.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-open-executions-'));
let db: Database.Database;
/** Every statement prepared on `db`, as issued. */
const prepared: string[] = [];
beforeAll(async () => {
  const file = join(dir, 'kairos.db');
  await (await openSqliteStore(file)).close();
  db = new Database(file);
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const planOf = (sql: string, params: readonly unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((r) => r.detail)
    .join(' | ');

/** The statement `call` issues through Kysely, with its parameters. */
async function issued(call: (store: ReturnType<typeof executorOperations>) => Promise<unknown>) {
  const queries: { sql: string; parameters: readonly unknown[] }[] = [];
  const kysely = new Kysely<Schema>({
    dialect: new CachingSqliteDialect(db),
    log: (event) => void queries.push(event.query),
  });
  await call(executorOperations({ db: kysely }));
  expect(queries).toHaveLength(1);
  return queries[0]!;
}

describe('the open-execution index on SQLite', () => {
  it('holds open executions only', () => {
    const index = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'executions_open_idx'")
      .get() as { sql: string };
    expect(index.sql).toMatch(/WHERE handle_code IS NULL$/);
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions'")
      .pluck()
      .all();
    expect(names).not.toContain('executions_app_address_status_idx');
  });

  it("answers a pull executor's queue", async () => {
    prepared.length = 0;
    await sqliteExecutions(db).takeQueuedExecutions(1, 'pull://worker', 10);
    const take = prepared.find((sql) => /status = 'queued'/.test(sql) && /^\s*SELECT/.test(sql));
    expect(take).toBeDefined();
    expect(planOf(take!, [1, 'pull://worker', 10])).toMatch(/USING INDEX executions_open_idx/);
  });

  it('answers the open counts and the lost-executor sweep without reading every execution', async () => {
    const perExecutor = await issued((s) => s.countOpenExecutions(1));
    expect(planOf(perExecutor.sql, perExecutor.parameters)).toMatch(/USING INDEX executions_open_idx/);
    const perTask = await issued((s) => s.countOpenExecutionsOfTask(1, 'pull://worker', 3));
    expect(planOf(perTask.sql, perTask.parameters)).toMatch(/USING INDEX executions_open_idx/);
    const sweep = await issued((s) => s.loseExecutionsOfDeadExecutors(1_000, 2_000, 'lost'));
    const plan = planOf(sweep.sql, sweep.parameters);
    expect(plan).toMatch(/executions USING INDEX executions_open_idx/);
    expect(plan).not.toMatch(/SCAN executions(?! USING)/);
  });
});
