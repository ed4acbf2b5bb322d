/**
 * Inserts a planned run (a claimed slot, or a settlement's retry). DO NOTHING without a conflict
 * target: an existing (task_id, slot_at) is what makes a slot fire once, and an existing
 * (task_id, idempotency_key) what makes a retry inserted once; RETURNING yields no row then, so
 * only inserted runs are reported.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import { RUN_INSERT_COLUMNS, type RunColumns } from '../../row-mapping.js';

export function sqliteInsertPlannedRun(
  db: BetterSqlite3.Database,
): (run: RunColumns) => Selectable<RunsTable> | undefined {
  const insert = db.prepare(
    `INSERT INTO runs (${RUN_INSERT_COLUMNS.join(', ')}) VALUES (${RUN_INSERT_COLUMNS.map((c) => `@${c}`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING *`,
  );
  return (run) => insert.get(run) as Selectable<RunsTable> | undefined;
}
