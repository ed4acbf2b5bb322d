// Kysely on SQLite: its own dialect (a statement prepared per query) against the store's
// statement-caching dialect (apps/server/src/store/sqlite-caching-dialect.ts: statements kept by
// SQL text, no connection mutex), on the same file in the same run, rounds alternating: a
// primary-key read, a page of the run list, a one-row update. Prints JSON with µs per query for
// each and the ratio.
//   node bench/sqlite-statements.js --queries 20000 --rounds 4
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CachingSqliteDialect } from '../apps/server/dist/store/sqlite-caching-dialect.js';
import { openSqliteStore } from '../apps/server/dist/store/sqlite-store.js';
import { flags, round } from './support.js';

const opts = flags();
const queries = Number(opts.queries ?? 20000);
const rounds = Number(opts.rounds ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'kairos-statements-'));
const file = join(dir, 'kairos.db');
// The schema and a little data, through the store itself.
const store = await openSqliteStore(file);
const ns = await store.ensureNamespace('default');
const app = await store.createApp({
  namespaceId: ns.id,
  appName: 'bench',
  name: 'Bench',
  description: null,
  maxConcurrency: null,
  accessTokenHash: 'unused',
  accessTokenHint: 'none',
});
await store.close();
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.exec(
  `INSERT INTO tasks (namespace_id, app_id, name, type, config, schedule, retry, concurrency, enabled, created_at, updated_at)
   SELECT ${ns.id}, ${app.id}, 'task ' || value, 'http', '{}', '{"type":"api"}', '{}', '{}', 1, 0, 0
   FROM (WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 1000) SELECT value FROM n)`,
);

const plain = new Kysely({ dialect: new SqliteDialect({ database: db }) });
const cached = new Kysely({ dialect: new CachingSqliteDialect(db) });

const work = {
  'read by id': (k, i) =>
    k
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', (i % 1000) + 1)
      .executeTakeFirst(),
  'page of 50': (k, i) =>
    k
      .selectFrom('tasks')
      .selectAll()
      .where('id', '<', 1000 - (i % 900))
      .orderBy('id', 'desc')
      .limit(50)
      .execute(),
  'update one': (k, i) =>
    k
      .updateTable('tasks')
      .set({ updated_at: i })
      .where('id', '=', (i % 1000) + 1)
      .execute(),
};

async function measure(k, run) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < queries; i++) await run(k, i);
  return Number(process.hrtime.bigint() - started) / 1000 / queries;
}

const results = {};
for (const [name, run] of Object.entries(work)) {
  const seen = { plain: [], cached: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? ['plain', 'cached'] : ['cached', 'plain']) {
      seen[side].push(await measure(side === 'plain' ? plain : cached, run));
    }
  }
  const best = (xs) => Math.min(...xs);
  results[name] = {
    plainUsPerQuery: round(best(seen.plain)),
    cachedUsPerQuery: round(best(seen.cached)),
    cachedOverPlain: round(best(seen.cached) / best(seen.plain)),
  };
}
await cached.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'sqlite-statements', queries, rounds, results }));
