/** The run statistics' question and answers (Store.runStats, read from the rollups). */
import type { RunStatus } from '@kairos/protocol';
import type { NamespaceFilter } from './namespace-scope.js';

/** What the statistics sum over: settled runs whose finish minute is in [from, to). */
export interface RunStatsQuery {
  namespaceId?: NamespaceFilter | undefined;
  appId?: number | undefined;
  taskId?: number | undefined;
  from: number;
  to: number;
  /** Bucket width in ms (a multiple of 60,000); buckets are aligned to the epoch (UTC). */
  bucketMs: number;
}

/** Sums of one bucket and one final status. */
export interface RunStatsBucketRow {
  bucketAt: number;
  status: RunStatus;
  runs: number;
  tokens: number;
  cost: number;
  durationMs: number;
}

/** Sums of one task over the whole range. */
export interface RunStatsTaskRow {
  taskId: number;
  runs: number;
  failed: number;
  durationMs: number;
  maxDurationMs: number;
}
