/**
 * The plug-in contract for what a task runs. Built-in types (http, script) and later ones (Dify,
 * executor) implement it and are listed in job-types/registry.ts; the scheduler and run engine
 * know nothing of any particular type.
 */
import type { RunError, Usage } from '@kairos/protocol';
import type { z } from 'zod';

export interface JobLogger {
  /** Appends to the run's log (buffered; written in batches). */
  (stream: 'stdout' | 'stderr' | 'system', text: string): void;
}

export interface JobContext<Config> {
  runId: number;
  taskId: number;
  attempt: number;
  /** The task's validated config. */
  config: Config;
  /** The run's input (from a manual/API trigger), or null. */
  input: unknown;
  /**
   * Aborts on timeout, cancel or shutdown; `signal.reason` is a RunAbort. The job must stop its
   * work (abort requests, kill processes) and settle promptly.
   */
  signal: AbortSignal;
  log: JobLogger;
}

export interface JobOutcome {
  output: unknown;
  usage?: Usage | undefined;
}

export interface JobType<Config = unknown> {
  /** The task's `type` string. */
  readonly name: string;
  /** zod schema for the task's `config`; strict, so unknown fields are refused. */
  readonly configSchema: z.ZodType<Config>;
  /**
   * Checks the config beyond its shape (reachability, remote validation). Returns warnings that
   * do not refuse the task; throws KairosError INVALID_CONFIG to refuse it.
   */
  validate?(config: Config): Promise<string[]>;
  /** Runs the job; resolves on success, throws JobFailure (or anything) on failure. */
  run(context: JobContext<Config>): Promise<JobOutcome>;
}

/** Why a run's signal was aborted. */
export interface RunAbort {
  kind: 'timeout' | 'cancel' | 'replace' | 'shutdown';
}

/**
 * A job's failure, stored as the run's error. `retryable: false` marks errors that cannot succeed
 * on retry (invalid config, a 4xx answer).
 */
export class JobFailure extends Error {
  readonly error: RunError;
  readonly retryable: boolean;
  readonly output: unknown;

  constructor(error: RunError, options: { retryable?: boolean; output?: unknown } = {}) {
    super(error.message);
    this.name = 'JobFailure';
    this.error = error;
    this.retryable = options.retryable ?? true;
    this.output = options.output;
  }
}
