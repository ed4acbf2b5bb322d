/**
 * Parsed job configs, shared by the runs of one task version, and warmed ahead of a run's
 * instant so that a burst of runs firing together does not pay for them at the instant.
 */
import { parseJobConfig } from '../job-types/job-config.js';
import type { JobType } from '../job-types/job-type.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { TaskRecord } from '../store/records.js';

/**
 * A run planned at most this far ahead is warmed when it is enqueued (JobType.warm: e.g. a Dify
 * key unsealed); runs planned further ahead are not, to keep such secrets in memory only shortly
 * before they are needed.
 */
export const WARM_AHEAD_MS = 60_000;

export class JobConfigs {
  /**
   * Parsed configs by the stored config object (a task record's `config`): runs of one task
   * version share the parse (zod, about 20 µs a run). A changed task is a new record with a new
   * config object, so an entry is never stale; it goes with the record. Parsed configs are
   * read-only to job types.
   */
  private readonly parsed = new WeakMap<object, { type: JobType<unknown>; config: unknown }>();

  constructor(private readonly jobTypes: JobTypeRegistry) {}

  /** The task's parsed config, from the cache when this config object was parsed before. */
  configOf(jobType: JobType<unknown>, task: TaskRecord): unknown {
    const key = task.config as unknown;
    if (typeof key !== 'object' || key === null) return parseJobConfig(jobType, key);
    const cached = this.parsed.get(key);
    if (cached?.type === jobType) return cached.config;
    const config = parseJobConfig(jobType, key);
    this.parsed.set(key, { type: jobType, config });
    return config;
  }

  /**
   * Parses a planned run's config ahead of its instant (a bad one fails the run at start, as
   * before) and, when it is due within WARM_AHEAD_MS, lets its job type warm what it needs.
   */
  warm(task: TaskRecord, dueInMs: number): void {
    const jobType = this.jobTypes.get(task.type);
    if (!jobType) return;
    try {
      const config = this.configOf(jobType, task);
      if (dueInMs <= WARM_AHEAD_MS) jobType.warm?.(config, dueInMs, task.namespaceId);
    } catch {
      // reported by the run itself when it starts
    }
  }
}
