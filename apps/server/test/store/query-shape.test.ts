/**
 * A query compiled once per database binds each call's arguments where the stand-ins were, keeps
 * the query's own constants, and refuses an argument that does not become one parameter.
 */
import { Kysely, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Database as Schema } from '../../src/store/db-schema.js';
import { queryShape } from '../../src/store/query-shape.js';

const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });

describe('queryShape', () => {
  it('binds the arguments of each call in the compiled query, constants kept', () => {
    const markOwed = queryShape((kdb, id: number, key: string) =>
      kdb
        .updateTable('workflow_run_nodes')
        .set((eb) => ({ items_done: eb('items_done', '+', 1) }))
        .where('workflow_run_id', '=', id)
        .where('node_key', '=', key)
        .where('status', '=', 'running'),
    );
    const first = markOwed(db, 7, 'fan');
    const second = markOwed(db, 8, 'b1');
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual([1, 7, 'fan', 'running']);
    expect(second.parameters).toEqual([1, 8, 'b1', 'running']);
  });

  it('refuses an argument used to shape the query rather than bound', () => {
    const shaped = queryShape((kdb, key: string) =>
      kdb.selectFrom('workflow_run_nodes').selectAll().where('node_key', '=', key.toUpperCase()),
    );
    expect(() => shaped(db, 'a')).toThrow(/argument 0 is not bound as exactly one parameter/);
  });
});
