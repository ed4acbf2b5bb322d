/**
 * Reads the run statistics rollups (0008, kept by run-stats-rollup.ts) for GET /api/v1/stats/runs:
 * sums per bucket and status, and per task, over a time range, through the primary key (bucket
 * first) or the app/task index, never the run table. Each question reads the coarsest grain that
 * answers it (see runStats).
 */
import { sql, type Kysely } from 'kysely';
import type { RunStatus } from '@kairos/protocol';
import type { Database } from './db-schema.js';
import { ROLLUPS } from './run-stats-rollup.js';
import type { RunStatsBucketRow, RunStatsQuery, RunStatsTaskRow } from './store.js';
import { namespaceIdList } from './namespace-scope.js';

const FAILED_STATUSES = ['failed', 'timed_out', 'lost'];
const DAY = 86_400_000;

type RollupTable = (typeof ROLLUPS)[number]['table'];
const WIDTH = Object.fromEntries(ROLLUPS.map((r) => [r.table, r.widthMs])) as Record<RollupTable, number>;

export class RunStatsQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The rows of one rollup in the query's scope. Its first bucket starts at the table's grain
   * `from` falls in (the hourly and daily tables cannot split an hour or a day).
   */
  private scoped(table: RollupTable, query: RunStatsQuery) {
    const width = WIDTH[table];
    let q = this.db
      // The three tables have the same columns (0008).
      .selectFrom(table as 'run_stats')
      .where('bucket_at', '>=', Math.floor(query.from / width) * width)
      .where('bucket_at', '<', query.to);
    if (query.namespaceId !== undefined)
      q = q.where('namespace_id', 'in', namespaceIdList(query.namespaceId));
    if (query.appId !== undefined) q = q.where('app_id', '=', query.appId);
    if (query.taskId !== undefined) q = q.where('task_id', '=', query.taskId);
    return q;
  }

  async runStats(query: RunStatsQuery): Promise<{ buckets: RunStatsBucketRow[]; tasks: RunStatsTaskRow[] }> {
    // A literal, not a parameter: better-sqlite3 binds a JS number as a REAL, and the division
    // must be an integer one to floor to the bucket.
    if (!Number.isSafeInteger(query.bucketMs) || query.bucketMs <= 0) {
      throw new Error('bucketMs must be a positive integer');
    }
    const width = sql.lit(query.bucketMs);
    const bucket = sql<number>`(bucket_at / ${width}) * ${width}`;
    // Series: hour-or-wider buckets of all tasks from the hourly sums (no task dimension); one
    // task's, or narrower buckets, from the minutes.
    const seriesTable: RollupTable =
      query.taskId === undefined && query.bucketMs % WIDTH.run_stats_hourly === 0
        ? 'run_stats_hourly'
        : 'run_stats';
    // Per-task sums: over two days or more from the days, else from the minutes.
    const tasksTable: RollupTable = query.to - query.from >= 2 * DAY ? 'run_stats_daily' : 'run_stats';
    const buckets = await this.scoped(seriesTable, query)
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
      .orderBy('status')
      .execute();
    const tasks = await this.scoped(tasksTable, query)
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
