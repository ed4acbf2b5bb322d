/**
 * Ends a run, compare-and-set on the status the settler expected (run-status.ts): a run ended or
 * started by someone else meanwhile is left alone and reported unsettled (false).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { toDurationMs, toJson } from '../../row-mapping.js';
import type { Settlement } from '../../store.js';

export function sqliteEndRun(db: BetterSqlite3.Database): (settlement: Settlement) => boolean {
  const update = db.prepare(
    `UPDATE runs SET status = @status, finished_at = @finishedAt, duration_ms = @durationMs,
       output = @output, error = @error, usage = @usage, executor = coalesce(@executor, executor),
       effect_at = coalesce(@effectAt, effect_at)
     WHERE id = @runId AND status = @expected`,
  );
  return ({ runId, expected, end }) =>
    update.run({
      runId,
      expected,
      status: end.status,
      finishedAt: end.finishedAt,
      durationMs: toDurationMs(end.durationMs),
      output: toJson(end.output),
      error: toJson(end.error ?? undefined),
      usage: toJson(end.usage ?? undefined),
      executor: end.executor ?? null,
      effectAt: end.effectAt ?? null,
    }).changes === 1;
}
