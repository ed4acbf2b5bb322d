/**
 * One log line, on one cached statement, run per line inside one transaction per batch
 * (sqlite-hot-path.ts): a multi-row INSERT built per batch would be prepared anew every flush
 * (measured: statement preparation was ~5% of CPU at 2,000 runs/s). With Kysely's statements kept
 * prepared (sqlite-caching-dialect.ts) its multi-row insert still took 1.29x this per line in
 * batches of 1 to 100 (bench/sqlite-replacements.js, rounds alternating).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { RunLogRecord } from '../../records.js';

export function sqliteAppendLog(db: BetterSqlite3.Database): (entry: Omit<RunLogRecord, 'seq'>) => void {
  const insert = db.prepare('INSERT INTO run_logs (run_id, at, stream, text) VALUES (?, ?, ?, ?)');
  return (e) => void insert.run(e.runId, e.at, e.stream, e.text);
}
