/**
 * Inserts a planned run (a claimed slot, a settlement's retry, a workflow's next node). DO
 * NOTHING without a conflict target: an existing (task_id, slot_at) is what makes a slot fire
 * once, and an existing (task_id, idempotency_key) what makes a retry inserted once; then no row
 * is reported, so only inserted runs are.
 *
 * The row reported is built from the columns given and the id SQLite assigned, not read back
 * with RETURNING *: building a 30-column row object per insert costs about twice the insert
 * itself. Every column not inserted starts NULL (no default, no trigger on runs).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { RunsTable } from '../../db-schema.js';
import { RUN_INSERT_COLUMNS, type RunColumns } from '../../row-mapping.js';

/** The columns of runs an insert leaves NULL, as a new run's row has them. */
const NOT_INSERTED = {
  started_at: null,
  duration_ms: null,
  output: null,
  executor: null,
  usage: null,
  cancel_requested_at: null,
  effect_at: null,
  checkpoint: null,
  checks: null,
} satisfies Omit<Selectable<RunsTable>, 'id' | keyof RunColumns>;

export function sqliteInsertPlannedRun(
  db: BetterSqlite3.Database,
): (run: RunColumns) => Selectable<RunsTable> | undefined {
  const insert = db.prepare(
    `INSERT INTO runs (${RUN_INSERT_COLUMNS.join(', ')}) VALUES (${RUN_INSERT_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT DO NOTHING`,
  );
  return (run) => {
    const { changes, lastInsertRowid } = insert.run(RUN_INSERT_COLUMNS.map((column) => run[column]));
    if (changes === 0) return undefined;
    return { id: Number(lastInsertRowid), ...run, ...NOT_INSERTED };
  };
}
