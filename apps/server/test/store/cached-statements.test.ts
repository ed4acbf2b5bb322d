/** Statements kept prepared by SQL text for Kysely on SQLite: reused, bounded, and correct. */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Generated } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withCachedStatements } from '../../src/store/cached-statements.js';

describe('withCachedStatements', () => {
  it('hands the same statement for the same SQL, and drops the least recently used beyond its size', () => {
    const db = new Database(':memory:');
    const cached = withCachedStatements(db, 2);
    const one = cached.prepare('SELECT 1');
    expect(cached.prepare('SELECT 1')).toBe(one);
    const two = cached.prepare('SELECT 2');
    cached.prepare('SELECT 1'); // now the most recently used
    cached.prepare('SELECT 3'); // drops SELECT 2
    expect(cached.prepare('SELECT 1')).toBe(one);
    expect(cached.prepare('SELECT 2')).not.toBe(two);
    cached.close();
    expect(db.open).toBe(false);
  });

  it('serves Kysely reads and writes with parameters as before', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const k = new Kysely<{ t: { id: Generated<number>; v: string } }>({
      dialect: new SqliteDialect({ database: withCachedStatements(db) }),
    });
    for (const v of ['a', 'b', 'c']) await k.insertInto('t').values({ v }).execute();
    await k.updateTable('t').set({ v: 'B' }).where('id', '=', 2).execute();
    const rows = await k.selectFrom('t').select(['id', 'v']).where('id', '>', 1).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 2, v: 'B' },
      { id: 3, v: 'c' },
    ]);
    await k.destroy();
  });
});
