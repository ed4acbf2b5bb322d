/**
 * The plug-in contract for what a task runs. Built-in types (http, script) and later ones (Dify,
 * executor) implement it and are listed in job-types/registry.ts; the scheduler and run engine
 * know nothing of any particular type.
 */
import type { RunError, Usage } from '@kairos/protocol';
import type { z } from 'zod';
import type { ExecutionRecord, NewExecution } from '../store/executor-records.js';

export interface JobLogger {
  /** Appends to the run's log (buffered; written in batches). */
  (stream: 'stdout' | 'stderr' | 'system', text: string): void;
}

export interface JobContext<Config> {
  runId: number;
  taskId: number;
  /** The task's app (its executors). */
  appId: number;
  /** The task's namespace (its outbound rules, its named secrets). */
  namespaceId: number;
  attempt: number;
  /** The task's validated config. */
  config: Config;
  /** The run's input (from a manual/API trigger), or null. */
  input: unknown;
  /**
   * The target version this run is pinned to (a replay of a past run: for Dify its workflow_id,
   * see JobType.versionOf); absent: the config's.
   */
  versionPin?: string | null | undefined;
  /**
   * Aborts on timeout, cancel or shutdown; `signal.reason` is a RunAbort. The job must stop its
   * work (abort requests, kill processes) and settle promptly.
   */
  signal: AbortSignal;
  log: JobLogger;
  /**
   * Records one event of the run's track (kept verbatim with its receive time, oversize data cut
   * with a flag) and publishes it to live watchers. Buffered; written in batches.
   */
  event(kind: string, data: string): void;
  /**
   * Saves what `resume` needs to pick this run up after a restart (for Dify: its run and task
   * ids). Resolves once stored; a run with a checkpoint is resumed by recovery, not lost.
   */
  checkpoint(value: unknown): Promise<void>;
  /**
   * Marks the job's first outside effect (request written, process spawned, executor called):
   * the run's `effectAt`, the instant its lateness is measured to. Later calls are ignored.
   */
  effect(): void;
  /**
   * The executions written with the run's start (`JobType.executionsAtStart`), already stored;
   * absent when the type wrote none then.
   */
  executions?: readonly ExecutionRecord[] | undefined;
}

/** What is known of a run before it starts: enough to decide what its start should write. */
export type StartingRun<Config> = Pick<
  JobContext<Config>,
  'runId' | 'taskId' | 'appId' | 'namespaceId' | 'attempt' | 'config' | 'input'
>;

export interface JobOutcome {
  output: unknown;
  usage?: Usage | undefined;
  /** Who ran it (an executor's address, or several), stored with the run's end. */
  executor?: string | undefined;
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
  /**
   * The executions the job will dispatch, decided just before the run starts so that the store
   * inserts them in the start's own transaction (one commit for both); `run` then finds them in
   * `context.executions`. Resolves undefined when deciding needs an outside call (an executor
   * probed) or finds nothing to run on: `run` then decides and writes them itself. Must not throw.
   */
  executionsAtStart?(run: StartingRun<Config>): Promise<NewExecution[] | undefined>;
  /** Runs the job; resolves on success, throws JobFailure (or anything) on failure. */
  run(context: JobContext<Config>): Promise<JobOutcome>;
  /**
   * Turns a validated config into the form that is stored (e.g. encrypts a secret). `previous`
   * is the stored config of the same type on update (e.g. to keep a secret sent back masked).
   * `validate` and `run` then receive the stored form.
   */
  prepareConfig?(config: Config, previous: Config | undefined): Config;
  /**
   * The outside destinations a config names (URLs), with the config field of each: saving a task
   * refuses one the namespace's outbound policy refuses (a 400 naming the field).
   */
  destinations?(config: Config): { field: string; url: string }[];
  /** The config as API reads show it (e.g. a secret masked). */
  presentConfig?(stored: Config): Record<string, unknown>;
  /**
   * Continues a run that was running when its node stopped, from the value it saved with
   * `context.checkpoint` (recovery calls it instead of finishing the run `lost`).
   */
  resume?(context: JobContext<Config>, checkpoint: unknown): Promise<JobOutcome>;
  /**
   * Prepares, ahead of a run due shortly, what every run of this (parsed, stored) config needs
   * before it can start (e.g. an unsealed key, a connection), so that the run's instant does not
   * pay it. `dueInMs`: how soon the run is due; `namespaceId`: the task's. Best effort: it must
   * not throw; a problem is reported by the run itself.
   */
  warm?(config: Config, dueInMs: number, namespaceId: number): void;
  /**
   * What an output gate checks in a run's output (for Dify: the workflow's `outputs`); absent:
   * the output itself.
   */
  result?(output: unknown): unknown;
  /** The target version a run's output says it ran (for Dify: its workflow_id), to pin a replay to. */
  versionOf?(output: unknown): string | null;
  /**
   * A check of one run input against what the target needs (a Dify workflow's Start-node
   * variables), prepared once for many inputs (the items of a batch): answers the first problem
   * of an input (the input merged over the config's own), or undefined. Resolves undefined when
   * the target cannot say (unreachable): the runs then report it.
   */
  inputCheck?(
    config: Config,
    namespaceId: number,
  ): Promise<((input: unknown) => string | undefined) | undefined>;
  /** The run's track (`GET /runs/{id}/track`) from its recorded events, in order. */
  track?(events: readonly { kind: string; data: string; truncated: boolean }[]): unknown;
}

/**
 * Thrown by a job on a `shutdown` abort to leave its run `running` for `resume` after the
 * restart, instead of failing it (its work goes on elsewhere, e.g. a Dify workflow run).
 */
export class JobDetached extends Error {
  constructor(message = 'left running for the next start to resume') {
    super(message);
    this.name = 'JobDetached';
  }
}

/** Why a run's signal was aborted. */
export interface RunAbort {
  /** `budget`: its budget was used up and says stopWhenExceeded. */
  kind: 'timeout' | 'cancel' | 'replace' | 'shutdown' | 'budget';
  /** Why, for the run's error (budget). */
  message?: string;
}

/**
 * A job's failure, stored as the run's error. `retryable: false` marks errors that cannot succeed
 * on retry (invalid config, a 4xx answer).
 */
export class JobFailure extends Error {
  readonly error: RunError;
  readonly retryable: boolean;
  readonly output: unknown;
  /**
   * The run's terminal status; `cancelled` when the work was stopped elsewhere, `lost` when the
   * worker doing it died (an executor that stopped heartbeating) (default failed).
   */
  readonly status: 'failed' | 'cancelled' | 'lost';
  readonly usage: Usage | undefined;
  /** Who ran it, as in JobOutcome. */
  readonly executor: string | undefined;

  constructor(
    error: RunError,
    options: {
      retryable?: boolean;
      output?: unknown;
      status?: 'failed' | 'cancelled' | 'lost';
      usage?: Usage | undefined;
      executor?: string | undefined;
    } = {},
  ) {
    super(error.message);
    this.name = 'JobFailure';
    this.error = error;
    this.retryable = options.retryable ?? true;
    this.output = options.output;
    this.status = options.status ?? 'failed';
    this.usage = options.usage;
    this.executor = options.executor;
  }
}
