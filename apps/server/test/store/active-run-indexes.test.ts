/**
 * The scheduler's own questions on SQLite are answered from the indexes of active runs
 * (migration 0022), not from indexes that hold the whole run history: SQLite takes a partial
 * index only when the query states its condition, so a query that lost it would fall back to
 * walking a task's or an app's every run. Checked on the shipped schema with a history in place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRunningSql } from '../../src/store/hot-path/start/sqlite-count-running.js';
import { RENEW_LEASES_SQL } from '../../src/store/hot-path/leases/sqlite-renew-leases.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-active-runs-'));
let db: Database.Database;
beforeAll(async () => {
  const file = join(dir, 'kairos.db');
  await (await openSqliteStore(file)).close();
  db = new Database(file);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const planOf = (sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((r) => r.detail)
    .join(' | ');

describe('the active-run indexes on SQLite', () => {
  it('hold only scheduled and running runs', () => {
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'runs_active_%' ORDER BY name",
      )
      .all() as { name: string; sql: string }[];
    expect(indexes.map((i) => i.name)).toEqual([
      'runs_active_app_idx',
      'runs_active_lease_expires_at_idx',
      'runs_active_lease_owner_idx',
      'runs_active_task_idx',
    ]);
    for (const index of indexes) expect(index.sql).toMatch(/WHERE status IN \('scheduled', 'running'\)$/);
  });

  it("answer how many of a task's or an app's runs are running, and renew a node's leases", () => {
    expect(planOf(countRunningSql('task_id'), 1)).toMatch(/USING COVERING INDEX runs_active_task_idx/);
    expect(planOf(countRunningSql('app_id'), 1)).toMatch(/USING COVERING INDEX runs_active_app_idx/);
    expect(planOf(RENEW_LEASES_SQL, 0, 'node-a')).toMatch(/USING INDEX runs_active_lease_owner_idx/);
  });
});
