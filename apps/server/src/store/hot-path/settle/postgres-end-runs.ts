/**
 * Ends a batch of runs, each only while in the status its settler expected (compare-and-set): the
 * runs are locked in id order (a MATERIALIZED CTE, so two batches wait for each other instead of
 * deadlocking; NO KEY, so the KEY SHARE locks that inserting a run's logs and events takes do not
 * conflict), and the expected status is re-checked on the newest row version after the lock.
 * Returns the ids ended. Settlements name distinct runs.
 */
import { toDurationMs, toJson } from '../../row-mapping.js';
import type { Settlement } from '../../store.js';
import type { Queryable } from '../postgres-queryable.js';

export async function endRuns(client: Queryable, settlements: Settlement[]): Promise<Set<number>> {
  const ended = await client.query<{ id: number }>(
    `WITH v AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
         AS v(id, expected, status, finished_at, duration_ms, output, error, usage, executor, effect_at)
     ), locked AS MATERIALIZED (
       SELECT id FROM runs WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE
     )
     UPDATE runs AS r SET status = v.status, finished_at = v.finished_at, duration_ms = v.duration_ms,
       output = v.output, error = v.error, usage = v.usage, executor = coalesce(v.executor, r.executor),
       effect_at = coalesce(v.effect_at, r.effect_at)
     FROM locked JOIN v ON v.id = locked.id
     WHERE r.id = locked.id AND r.status = v.expected
     RETURNING r.id`,
    [
      settlements.map((s) => s.runId),
      settlements.map((s) => s.expected),
      settlements.map((s) => s.end.status),
      settlements.map((s) => s.end.finishedAt),
      settlements.map((s) => toDurationMs(s.end.durationMs)),
      settlements.map((s) => toJson(s.end.output)),
      settlements.map((s) => toJson(s.end.error ?? undefined)),
      settlements.map((s) => toJson(s.end.usage ?? undefined)),
      settlements.map((s) => s.end.executor ?? null),
      settlements.map((s) => s.end.effectAt ?? null),
    ],
  );
  return new Set(ended.rows.map((row) => Number(row.id)));
}
