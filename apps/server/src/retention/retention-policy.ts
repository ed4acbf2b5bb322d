/**
 * A namespace's effective retention: its own settings over the server's defaults, turned into
 * the cutoffs of one pruning pass. Pure.
 */
import type { RetentionSettings } from '../store/retention-store.js';

const DAY_MS = 86_400_000;

/** The server's defaults (config retentionDays, retentionRunsPerTask, retentionLogDays); 0: no limit. */
export interface RetentionDefaults {
  keepDays: number;
  keepRunsPerTask: number;
  keepLogsDays: number;
}

/** What one pass prunes in a namespace; undefined: nothing of that kind. */
export interface PrunePlan {
  /** Finished runs that ended before this instant go. */
  runsEndedBefore: number | undefined;
  /** Each task keeps this many newest runs. */
  keepRunsPerTask: number | undefined;
  /** Logs and events of runs that ended before this instant go (the runs stay). */
  detailsEndedBefore: number | undefined;
}

/** Each setting of the namespace, or the default where it has none (null). */
export function effectiveRetention(
  settings: RetentionSettings | undefined,
  defaults: RetentionDefaults,
): RetentionDefaults {
  return {
    keepDays: settings?.keepDays ?? defaults.keepDays,
    keepRunsPerTask: settings?.keepRunsPerTask ?? defaults.keepRunsPerTask,
    keepLogsDays: settings?.keepLogsDays ?? defaults.keepLogsDays,
  };
}

export function prunePlan(retention: RetentionDefaults, now: number): PrunePlan {
  const runsEndedBefore = retention.keepDays > 0 ? now - retention.keepDays * DAY_MS : undefined;
  // Details kept as long as the runs (or longer) go with the runs: nothing of their own to do.
  const detailsShorter =
    retention.keepLogsDays > 0 && (retention.keepDays === 0 || retention.keepLogsDays < retention.keepDays);
  return {
    runsEndedBefore,
    keepRunsPerTask: retention.keepRunsPerTask > 0 ? retention.keepRunsPerTask : undefined,
    detailsEndedBefore: detailsShorter ? now - retention.keepLogsDays * DAY_MS : undefined,
  };
}
