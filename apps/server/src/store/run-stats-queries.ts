/**
 * Reads the run statistics rollups (kept by run-stats-rollup.ts) for GET /api/v1/stats/runs:
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
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
      // The three tables have the same columns.
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
    const buckets = await this.scoped(seriesTable(query), query)
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
    const tasks = await this.taskSums(query);
    return {
      buckets: buckets.map((r) => ({
        bucketAt: Number(r.bucket),
        status: r.status as RunStatus,
        runs: Number(r.runs),
        tokens: Number(r.tokens),
        cost: Number(r.cost),
        durationMs: Number(r.duration_ms),
      })),
      tasks,
    };
  }

  /**
   * Per-task sums over the range: two days or more from the days; else the whole hours from the
   * hourly per-task sums and the minutes before the first and after the last whole hour from the
   * minutes (a day of minutes is up to 1,440 rows per task and status).
   */
  private async taskSums(query: RunStatsQuery): Promise<RunStatsTaskRow[]> {
    if (query.to - query.from >= 2 * DAY) return this.taskSumsOf('run_stats_daily', query);
    const firstHour = Math.ceil(query.from / HOUR) * HOUR;
    const lastHour = Math.floor(query.to / HOUR) * HOUR;
    if (firstHour >= lastHour) return this.taskSumsOf('run_stats', query);
    const parts = await Promise.all([
      this.taskSumsOf('run_stats', { ...query, to: firstHour }),
      this.taskSumsOf('run_stats_hourly_task', { ...query, from: firstHour, to: lastHour }),
      this.taskSumsOf('run_stats', { ...query, from: lastHour }),
    ]);
    return mergeTaskSums(parts.flat());
  }

  private async taskSumsOf(table: RollupTable, query: RunStatsQuery): Promise<RunStatsTaskRow[]> {
    if (query.from >= query.to) return [];
    const rows = await this.scoped(table, query)
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
    return rows.map((r) => ({
      taskId: Number(r.task_id),
      runs: Number(r.runs),
      failed: Number(r.failed),
      durationMs: Number(r.duration_ms),
      maxDurationMs: Number(r.max_duration_ms),
    }));
  }
}

/**
 * The table a series reads: the coarsest whose grain divides the bucket width. All tasks together
 * read the 5-minute or hourly sums (no task dimension); one task's, the hourly per-task or the
 * minutes.
 */
function seriesTable(query: RunStatsQuery): RollupTable {
  const divides = (table: RollupTable) => query.bucketMs % WIDTH[table] === 0;
  if (query.taskId !== undefined)
    return divides('run_stats_hourly_task') ? 'run_stats_hourly_task' : 'run_stats';
  if (divides('run_stats_hourly')) return 'run_stats_hourly';
  return divides('run_stats_5m') ? 'run_stats_5m' : 'run_stats';
}

/** One row per task from the sums of several ranges. */
function mergeTaskSums(rows: readonly RunStatsTaskRow[]): RunStatsTaskRow[] {
  const byTask = new Map<number, RunStatsTaskRow>();
  for (const row of rows) {
    const seen = byTask.get(row.taskId);
    if (seen === undefined) {
      byTask.set(row.taskId, { ...row });
      continue;
    }
    seen.runs += row.runs;
    seen.failed += row.failed;
    seen.durationMs += row.durationMs;
    seen.maxDurationMs = Math.max(seen.maxDurationMs, row.maxDurationMs);
  }
  return [...byTask.values()];
}
