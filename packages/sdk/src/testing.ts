/**
 * Runs a task's handler without Kairos or an executor: for unit tests of handlers.
 *
 * @example
 *   import { runTask } from '@kairos/sdk/testing';
 *   import { hello } from '../src/tasks.js';
 *
 *   const result = await runTask(hello, { params: 'world' });
 *   expect(result).toMatchObject({ status: 'succeeded', output: 'done' });
 *   expect(result.logs).toContain('hello world');
 */
import { isNonRetryable } from './errors.js';
import type { TaskContext, TaskDefinition } from './task.js';

export interface RunTaskOptions {
  params?: string;
  shardIndex?: number;
  shardTotal?: number;
  /** Aborts the handler's signal after this many ms (as Kairos does on a timeout). */
  timeoutMs?: number;
  /** Abort it yourself (as Kairos does on cancel). */
  signal?: AbortSignal;
  jobId?: number;
  logId?: number;
}

export interface RunTaskResult {
  status: 'succeeded' | 'failed';
  /** The handler's return value, as the executor reports it (a string, or JSON). */
  output: string | null;
  /** The thrown error, when failed. */
  error: Error | undefined;
  /** false when the handler threw NonRetryableError. */
  retryable: boolean;
  logs: string[];
}

export async function runTask(task: TaskDefinition, options: RunTaskOptions = {}): Promise<RunTaskResult> {
  const logs: string[] = [];
  const signals = [
    options.signal,
    options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
  ];
  const context: TaskContext = {
    params: options.params ?? '',
    shardIndex: options.shardIndex ?? 0,
    shardTotal: options.shardTotal ?? 1,
    signal: AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined)),
    log: (message) => logs.push(String(message)),
    jobId: options.jobId ?? 1,
    logId: options.logId ?? 1,
  };
  try {
    const value = await task.handler(context);
    const output =
      value === undefined || value === null
        ? null
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    return { status: 'succeeded', output, error: undefined, retryable: false, logs };
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    return { status: 'failed', output: null, error, retryable: !isNonRetryable(error), logs };
  }
}
