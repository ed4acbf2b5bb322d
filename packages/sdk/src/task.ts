/**
 * What a task handler is and receives.
 */

/** What a handler gets for one execution. */
export interface TaskContext {
  /** The task's params (a run's input replaces them), as the string Kairos sent. */
  params: string;
  /** This execution's shard (0-based) for a `sharding_broadcast` task; 0 otherwise. */
  shardIndex: number;
  /** How many shards the run has; 1 unless the task is a `sharding_broadcast`. */
  shardTotal: number;
  /**
   * Aborts when Kairos kills the execution (cancel, timeout, `cover_early`) or the executor
   * stops. Pass it to fetch and child processes; a handler that ignores it keeps running.
   */
  signal: AbortSignal;
  /** Appends a line to the run's log (visible in Kairos while the run is live). */
  log: (message: string) => void;
  /** The Kairos task id (XXL-JOB jobId). */
  jobId: number;
  /** The execution id (XXL-JOB logId). */
  logId: number;
}

/** Returns the result (a string as is; anything else becomes JSON), or throws to fail. */
export type TaskHandler = (context: TaskContext) => unknown;

export interface TaskDefinition {
  readonly name: string;
  readonly handler: TaskHandler;
}

/**
 * Names a handler so that `executor` tasks with `{"handler": name}` run it.
 *
 * @example
 *   import { defineTask } from '@kairos/sdk';
 *
 *   export const resize = defineTask('resize-images', async ({ params, shardIndex, shardTotal, log, signal }) => {
 *     const batch = await listImages(params, { shardIndex, shardTotal });
 *     for (const image of batch) {
 *       signal.throwIfAborted();
 *       await resizeOne(image);
 *       log(`resized ${image}`);
 *     }
 *     return `${batch.length} images`;
 *   });
 */
export function defineTask(name: string, handler: TaskHandler): TaskDefinition {
  if (typeof name !== 'string' || name.trim() === '')
    throw new TypeError('defineTask: the name must be a non-empty string');
  if (typeof handler !== 'function')
    throw new TypeError(`defineTask(${JSON.stringify(name)}): the handler must be a function`);
  return Object.freeze({ name, handler });
}
