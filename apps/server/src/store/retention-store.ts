/**
 * The Store's part for run history retention: a namespace's settings, and the
 * small, bounded reads and deletes the pruner (retention/run-pruner.ts) is built from. Every
 * delete takes only finished runs: a scheduled or running run is never pruned.
 */

/** A namespace's retention; null: the server's default, 0: no limit of that kind. */
export interface RetentionSettings {
  /** Runs are kept this many days after they finished. */
  keepDays: number | null;
  /** Each task's newest this-many runs are kept (older finished ones are pruned). */
  keepRunsPerTask: number | null;
  /** A run's logs and events are kept this many days after it finished (≤ keepDays to matter). */
  keepLogsDays: number | null;
}

/** What the pruner needs of a run. */
export interface RunToPrune {
  id: number;
  /** Finished: its status is terminal. */
  finished: boolean;
  /** When it finished (its slot if it has no finish time). */
  endedAt: number;
  createdAt: number;
}

/** How much room SQLite's file could give back (PostgreSQL: autovacuum's business, always 0). */
export interface SpaceReport {
  /** Free pages in the file after this step. */
  freePages: number;
  /** False when the file's auto_vacuum mode is not INCREMENTAL (it needs a one-time VACUUM). */
  incremental: boolean;
}

export interface RetentionStore {
  getRetention(namespaceId: number): Promise<RetentionSettings | undefined>;
  setRetention(namespaceId: number, settings: RetentionSettings): Promise<RetentionSettings>;
  /** Every namespace's stored settings, by namespace id. */
  listRetention(): Promise<Map<number, RetentionSettings>>;
  /** A namespace's runs with ids above `afterId`, oldest first, at most `limit`. */
  scanRunsToPrune(namespaceId: number, afterId: number, limit: number): Promise<RunToPrune[]>;
  /** Deletes these runs (with their logs, events and executions) if finished; returns how many. */
  deleteFinishedRuns(runIds: number[]): Promise<number>;
  /** Deletes the logs and events of these runs; returns how many rows went. */
  deleteRunDetails(runIds: number[]): Promise<number>;
  /** A namespace's task ids above `afterId`, in order, at most `limit`. */
  listTaskIdsAfter(namespaceId: number, afterId: number, limit: number): Promise<number[]>;
  /** A task's finished runs older than its newest `keep`, oldest first, at most `limit`. */
  runsBeyondNewest(taskId: number, keep: number, limit: number): Promise<number[]>;
  /** True when this node is the one pruner of the cluster (PostgreSQL); SQLite: always. */
  holdPrunerLock(): Promise<boolean>;
  /** Gives up to `pages` free pages back to the file system (SQLite incremental vacuum). */
  reclaimSpace(pages: number): Promise<SpaceReport>;
}
