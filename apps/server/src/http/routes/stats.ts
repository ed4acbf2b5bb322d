/**
 * `GET /api/v1/stats/runs`: the dashboard's numbers (and any script's), from the run_stats
 * rollup kept as runs settle, plus the live count of running runs.
 */
import { RunStats, RunStatsQuery, STATS_BUCKETS, type StatsBucket } from '@kairos/protocol';
import { KairosError } from '../../errors.js';
import type { RunStatsTaskRow } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';
import { instant } from '../validation.js';

const DAY = 86_400_000;
/** The widest range answered (a year): wider asks are almost always a typo in `from`. */
const MAX_RANGE = 366 * DAY;
const FAILED = new Set(['failed', 'timed_out', 'lost']);

/** The narrowest bucket that keeps the answer at 300 buckets or fewer. */
function defaultBucket(rangeMs: number): StatsBucket {
  const fits = (Object.keys(STATS_BUCKETS) as StatsBucket[]).find((b) => rangeMs / STATS_BUCKETS[b] <= 300);
  return fits ?? '1d';
}

export function statsRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/stats/runs',
      summary:
        'Run statistics per time bucket (counts by final status, tokens, cost), per task and in total, by finish time',
      tag: 'stats',
      access: { role: 'viewer', namespace: 'query' },
      query: RunStatsQuery,
      response: RunStats,
    },
    async ({ query, request }) => {
      const to = instant(query.to) ?? ctx.clock.now();
      const from = instant(query.from) ?? to - DAY;
      if (from >= to) {
        throw new KairosError('VALIDATION_ERROR', 'from: must be before to', { field: 'from' });
      }
      if (to - from > MAX_RANGE) {
        throw new KairosError('VALIDATION_ERROR', 'from: the range may span at most 366 days', {
          field: 'from',
        });
      }
      const bucket = query.bucket ?? defaultBucket(to - from);
      const bucketMs = STATS_BUCKETS[bucket];
      if ((to - from) / bucketMs > 10_000) {
        throw new KairosError(
          'VALIDATION_ERROR',
          `bucket: ${bucket} makes more than 10,000 buckets; pick a wider one`,
          {
            field: 'bucket',
          },
        );
      }
      // The namespaces the caller sees bound every sum, whatever app or task is asked for.
      const namespaceId = await ctx.access.listScope(request, query.namespace);
      const app = query.app ? await ctx.apps.find(query.app, query.namespace) : undefined;
      const scope = { namespaceId, appId: app?.id, taskId: query.task };
      const rows = await ctx.store.runStats({ ...scope, from, to, bucketMs });

      const byBucket = new Map<
        number,
        { counts: Record<string, number>; runs: number; tokens: number; cost: number }
      >();
      const totals = { counts: {} as Record<string, number>, runs: 0, tokens: 0, cost: 0 };
      for (const row of rows.buckets) {
        let b = byBucket.get(row.bucketAt);
        if (b === undefined) byBucket.set(row.bucketAt, (b = { counts: {}, runs: 0, tokens: 0, cost: 0 }));
        for (const sums of [b, totals]) {
          sums.counts[row.status] = (sums.counts[row.status] ?? 0) + row.runs;
          sums.runs += row.runs;
          sums.tokens += row.tokens;
          sums.cost += row.cost;
        }
      }
      // Every bucket of the range is answered, empty ones included, so a chart has no gaps.
      const buckets = [];
      for (let at = Math.floor(from / bucketMs) * bucketMs; at < to; at += bucketMs) {
        const b = byBucket.get(at) ?? { counts: {}, runs: 0, tokens: 0, cost: 0 };
        buckets.push({ at: new Date(at).toISOString(), ...b });
      }
      const succeeded = totals.counts['succeeded'] ?? 0;
      const failed = [...FAILED].reduce((n, s) => n + (totals.counts[s] ?? 0), 0);

      const present = async (t: RunStatsTaskRow) => ({
        taskId: t.taskId,
        taskName: (await ctx.store.getTask(t.taskId))?.name ?? null,
        runs: t.runs,
        failed: t.failed,
        avgDurationMs: t.runs > 0 ? Math.round(t.durationMs / t.runs) : null,
        maxDurationMs: t.maxDurationMs,
      });
      const slowest = [...rows.tasks]
        .sort((a, b) => b.durationMs / b.runs - a.durationMs / a.runs)
        .slice(0, 5);
      const failing = rows.tasks
        .filter((t) => t.failed > 0)
        .sort((a, b) => b.failed - a.failed)
        .slice(0, 5);
      const running = await ctx.store.countRuns({ ...scope, statuses: ['running'] });

      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucket,
        buckets,
        totals: {
          ...totals,
          succeeded,
          failed,
          successRate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null,
        },
        running,
        slowestTasks: await Promise.all(slowest.map(present)),
        mostFailingTasks: await Promise.all(failing.map(present)),
      };
    },
  );
}
