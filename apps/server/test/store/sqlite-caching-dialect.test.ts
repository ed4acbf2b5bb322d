/**
 * Kysely's dialect for the SQLite connection: statements prepared once per SQL text, queries and
 * results as Kysely's own driver gives them, streams on statements of their own, and Kysely
 * transactions refused before anything is written.
 */
import Database from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CachingSqliteDialect, SQLITE_TRANSACTION_REFUSED } from '../../src/store/sqlite-caching-dialect.js';

interface Schema {
  t: { id: Generated<number>; v: string };
}

function open() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof db.prepare;
  return { db, prepared, k: new Kysely<Schema>({ dialect: new CachingSqliteDialect(db, 4) }) };
}

describe('CachingSqliteDialect', () => {
  it('prepares each SQL text once, and gives rows, changes and insert ids', async () => {
    const { k, prepared } = open();
    const inserted = [];
    for (const v of ['a', 'b', 'c']) inserted.push(await k.insertInto('t').values({ v }).executeTakeFirst());
    expect(inserted.map((r) => r.insertId)).toEqual([1n, 2n, 3n]);
    const updated = await k.updateTable('t').set({ v: 'B' }).where('id', '>=', 2).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    for (let i = 0; i < 3; i++) {
      expect(await k.selectFrom('t').select('v').where('id', '=', 2).executeTakeFirst()).toEqual({ v: 'B' });
    }
    expect(await k.selectFrom('t').selectAll().orderBy('id').execute()).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'B' },
      { id: 3, v: 'B' },
    ]);
    // insert, update, the read by id, the list: four texts, each prepared once.
    expect(prepared).toHaveLength(4);
    expect(new Set(prepared).size).toBe(4);
    await k.destroy();
  });

  it('streams a SELECT on a statement of its own', async () => {
    const { k, prepared } = open();
    await k
      .insertInto('t')
      .values([{ v: 'a' }, { v: 'b' }])
      .execute();
    const query = k.selectFrom('t').select('v').orderBy('id');
    const streamed: string[] = [];
    for await (const row of query.stream()) streamed.push(row.v);
    for await (const row of query.stream()) streamed.push(row.v);
    expect(streamed).toEqual(['a', 'b', 'a', 'b']);
    expect(prepared.filter((s) => s.startsWith('select'))).toHaveLength(2);
    await k.destroy();
  });

  it('refuses a Kysely transaction before it writes anything', async () => {
    const { k, db } = open();
    await expect(
      k.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ v: 'inside' }).execute();
      }),
    ).rejects.toThrow(SQLITE_TRANSACTION_REFUSED);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    expect(db.inTransaction).toBe(false);
    // The connection goes on serving queries.
    await sql`INSERT INTO t (v) VALUES ('after')`.execute(k);
    expect(await k.selectFrom('t').select('v').execute()).toEqual([{ v: 'after' }]);
    await k.destroy();
    expect(db.open).toBe(false);
  });
});
