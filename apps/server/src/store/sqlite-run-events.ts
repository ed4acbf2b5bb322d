/**
 * The SQLite hot path for run events: one cached prepared INSERT run per row inside one
 * transaction. The generic multi-row INSERT through Kysely compiled and prepared a new 1000-row
 * statement for every batch; with 500 live Dify runs streaming that cost about 1.5 s of event
 * loop per 100,000 events (bench/dify.js). Safe as it is: SQLite has one writer (this process,
 * under the store lock), and OR IGNORE on (run_id, seq) makes a re-sent batch insert nothing.
 * Kept now that Kysely's statements are kept prepared (sqlite-caching-dialect.ts): through it the
 * multi-row insert took 1.46x this per event in batches of 1 to 100, and the checkpoint's
 * UPDATE 1.79x (bench/sqlite-replacements.js, rounds alternating, shared machine under load).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { RunEventRecord } from './records.js';

export function sqliteAppendRunEvents(
  db: BetterSqlite3.Database,
): (entries: RunEventRecord[]) => Promise<void> {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO run_events (run_id, seq, at, kind, data, truncated) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertAll = db.transaction((entries: RunEventRecord[]) => {
    for (const e of entries) insert.run(e.runId, e.seq, e.at, e.kind, e.data, e.truncated ? 1 : 0);
  });
  return (entries) => {
    insertAll(entries);
    return Promise.resolve();
  };
}

/**
 * A run's checkpoint, on a cached prepared statement: every Dify run saves one as its first event
 * arrives, so 500 runs firing together would otherwise compile and prepare 500 UPDATEs in a burst.
 * Not only `running`: a run's start is written behind and may still be queued (see
 * run-event-queries.ts); a terminal run keeps none.
 */
export function sqliteSetRunCheckpoint(
  db: BetterSqlite3.Database,
): (runId: number, checkpoint: unknown) => Promise<void> {
  const update = db.prepare(
    "UPDATE runs SET checkpoint = ? WHERE id = ? AND status IN ('scheduled', 'running')",
  );
  return (runId, checkpoint) => {
    update.run(checkpoint === undefined ? null : JSON.stringify(checkpoint), runId);
    return Promise.resolve();
  };
}
