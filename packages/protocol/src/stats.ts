/**
 * `GET /api/v1/stats/runs`: run statistics per time bucket (counts by final status, tokens, cost)
 * and per task, with totals, answered from the rollup kept as runs settle. Runs are
 * counted in the bucket of their finish time.
 */
import { z } from 'zod';
import { RunStatus } from './schemas.js';

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z',
});

/** Bucket widths the endpoint accepts. */
export const STATS_BUCKETS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
} as const;
export type StatsBucket = keyof typeof STATS_BUCKETS;

export const RunStatsQuery = z.strictObject({
  namespace: z.string().optional(),
  /** An app id or appName. */
  app: z.string().min(1).optional(),
  task: z.coerce.number().int().positive().optional(),
  /** Default: 24 hours before `to`. */
  from: isoInstant.optional(),
  /** Default: now. */
  to: isoInstant.optional(),
  /** Default: chosen from the range (about 60 to 300 buckets). */
  bucket: z
    .enum(Object.keys(STATS_BUCKETS) as [StatsBucket, ...StatsBucket[]], {
      message: `must be one of ${Object.keys(STATS_BUCKETS).join(', ')}`,
    })
    .optional(),
});
/** The client's form of the query (instants may be Dates). */
export interface RunStatsQueryInput {
  namespace?: string | undefined;
  app?: string | undefined;
  task?: number | undefined;
  from?: string | Date | undefined;
  to?: string | Date | undefined;
  bucket?: StatsBucket | undefined;
}

const counts = z.record(z.string(), z.number());

export const RunStatsBucket = z.object({
  /** The bucket's start (ISO instant). */
  at: z.string(),
  /** Runs per final status, e.g. `{"succeeded": 12, "failed": 1}`. */
  counts,
  runs: z.number(),
  tokens: z.number(),
  cost: z.number(),
});
export type RunStatsBucket = z.infer<typeof RunStatsBucket>;

export const RunStatsTask = z.object({
  taskId: z.number(),
  taskName: z.string().nullable(),
  runs: z.number(),
  /** failed + timed_out + lost. */
  failed: z.number(),
  avgDurationMs: z.number().nullable(),
  maxDurationMs: z.number().nullable(),
});
export type RunStatsTask = z.infer<typeof RunStatsTask>;

export const RunStats = z.object({
  from: z.string(),
  to: z.string(),
  bucket: z.string(),
  buckets: z.array(RunStatsBucket),
  totals: z.object({
    counts,
    runs: z.number(),
    succeeded: z.number(),
    failed: z.number(),
    /** succeeded / (succeeded + failed); null with no finished run. */
    successRate: z.number().nullable(),
    tokens: z.number(),
    cost: z.number(),
  }),
  /** Runs `running` now (not a rollup: the live count). */
  running: z.number(),
  /** The 5 tasks with the longest average duration. */
  slowestTasks: z.array(RunStatsTask),
  /** The 5 tasks with the most failed runs. */
  mostFailingTasks: z.array(RunStatsTask),
});
export type RunStats = z.infer<typeof RunStats>;

export const RUN_STATUSES_IN_STATS: readonly RunStatus[] = RunStatus.options;
