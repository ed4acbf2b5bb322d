/**
 * Reads the run_stats rollup (0008, kept by run-stats-rollup.ts) for GET /api/v1/stats/runs:
 * sums per bucket and status, and per task, over a time range. The rollup has one row per
 * (namespace, minute, app, task, status), so a 30-day range reads at most that many rows
 * through the primary key (or the app/task index), never the run table.
 */
import { sql, type Kysely } from 'kysely';
import type { RunStatus } from '@kairos/protocol';
import type { Database } from './db-schema.js';
import type { RunStatsBucketRow, RunStatsQuery, RunStatsTaskRow } from './store.js';

const FAILED_STATUSES = ['failed', 'timed_out', 'lost'];

export class RunStatsQueries {
  constructor(private readonly db: Kysely<Database>) {}

  private scoped(query: RunStatsQuery) {
    let q = this.db
      .selectFrom('run_stats')
      .where('bucket_at', '>=', query.from)
      .where('bucket_at', '<', query.to);
    if (query.namespaceId !== undefined) q = q.where('namespace_id', '=', query.namespaceId);
    if (query.appId !== undefined) q = q.where('app_id', '=', query.appId);
    if (query.taskId !== undefined) q = q.where('task_id', '=', query.taskId);
    return q;
  }

  async runStats(query: RunStatsQuery): Promise<{ buckets: RunStatsBucketRow[]; tasks: RunStatsTaskRow[] }> {
    // A literal, not a parameter: better-sqlite3 binds a JS number as a REAL, and the division
    // must be an integer one to floor to the bucket.
    if (!Number.isSafeInteger(query.bucketMs) || query.bucketMs <= 0)
      throw new Error('bucketMs must be a positive integer');
    const width = sql.lit(query.bucketMs);
    const bucket = sql<number>`(bucket_at / ${width}) * ${width}`;
    const buckets = await this.scoped(query)
      .select([
        bucket.as('bucket'),
        'status',
        sql<number>`sum(runs)`.as('runs'),
        sql<number>`sum(tokens)`.as('tokens'),
        sql<number>`sum(cost)`.as('cost'),
        sql<number>`sum(duration_ms)`.as('duration_ms'),
      ])
      .groupBy([bucket, 'status'])
      .orderBy('bucket')
      .execute();
    const tasks = await this.scoped(query)
      .select([
        'task_id',
        sql<number>`sum(runs)`.as('runs'),
        sql<number>`sum(case when status in (${sql.join(FAILED_STATUSES)}) then runs else 0 end)`.as(
          'failed',
        ),
        sql<number>`sum(duration_ms)`.as('duration_ms'),
        sql<number>`max(max_duration_ms)`.as('max_duration_ms'),
      ])
      .groupBy('task_id')
      .execute();
    return {
      buckets: buckets.map((r) => ({
        bucketAt: Number(r.bucket),
        status: r.status as RunStatus,
        runs: Number(r.runs),
        tokens: Number(r.tokens),
        cost: Number(r.cost),
        durationMs: Number(r.duration_ms),
      })),
      tasks: tasks.map((r) => ({
        taskId: Number(r.task_id),
        runs: Number(r.runs),
        failed: Number(r.failed),
        durationMs: Number(r.duration_ms),
        maxDurationMs: Number(r.max_duration_ms),
      })),
    };
  }
}
