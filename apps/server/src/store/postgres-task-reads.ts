/**
 * PostgreSQL's task read by id: the reads asked in one turn of the event loop (each trigger, each
 * executor callback checks its task) in one statement, where each alone was a round trip of its
 * own. Each caller gets a record of its own.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { toTaskRecord } from './row-mapping.js';
import type { Store } from './store.js';
import { TurnBatch } from './turn-batch.js';

export function postgresTaskReads(db: Kysely<Database>): Pick<Store, 'getTask'> {
  const reads = new TurnBatch(async (ids: number[]) => {
    const rows = await db
      .selectFrom('tasks')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row && toTaskRecord(row);
    });
  });
  return { getTask: (id) => reads.add(id) };
}
