/**
 * How a Dify run's end becomes the Kairos run's: `succeeded` and `partial-succeeded` succeed (the
 * latter with a warning count), `failed` and `error` fail, `stopped` is cancelled. The output
 * carries Dify's ids, status, outputs, timing and step count.
 */
import type { Usage } from '@kairos/protocol';
import { JobFailure } from '../job-type.js';
import type { JobOutcome } from '../job-type.js';
import { num, obj, str } from './events.js';
import type { RunState } from './run-state.js';

export interface DifyRunOutput {
  workflowRunId: string | null;
  taskId: string | null;
  workflowId: string | null;
  /** Dify's own status (`succeeded`, `partial-succeeded`, `failed`, `stopped`…). */
  status: string | null;
  outputs: unknown;
  error: string | null;
  elapsedSeconds: number | null;
  totalSteps: number | null;
  /** Nodes that failed but were handled by an error strategy (`partial-succeeded`). */
  warnings: number;
  createdAt: string | null;
  finishedAt: string | null;
  /** The API server's host. */
  host: string;
  /** How the end was learnt: the stream, a re-attached stream, or polling run detail. */
  via: 'stream' | 'reattach' | 'poll' | 'blocking';
}

function iso(v: unknown): string | null {
  const n = num(v);
  return n === null ? null : new Date(n * 1000).toISOString();
}

/** The run's output from its terminal event or run detail. */
export function outputOf(state: RunState, host: string, via: DifyRunOutput['via']): DifyRunOutput {
  const d = state.terminal?.data ?? state.detail ?? {};
  const error =
    state.terminal?.event === 'error'
      ? (state.terminal.message ?? null)
      : str((d as { error?: unknown }).error);
  let outputs: unknown = (d as { outputs?: unknown }).outputs ?? null;
  if (typeof outputs === 'string') {
    // Run detail on Dify 1.12 returns outputs as JSON text.
    try {
      outputs = JSON.parse(outputs);
    } catch {
      /* keep the text */
    }
  }
  return {
    workflowRunId: state.workflowRunId,
    taskId: state.taskId,
    workflowId: state.workflowId ?? str((d as { workflow_id?: unknown }).workflow_id),
    status: state.terminal?.event === 'error' ? 'error' : str((d as { status?: unknown }).status),
    outputs,
    error,
    elapsedSeconds: num((d as { elapsed_time?: unknown }).elapsed_time),
    totalSteps: num((d as { total_steps?: unknown }).total_steps),
    warnings: num((d as { exceptions_count?: unknown }).exceptions_count) ?? 0,
    createdAt: iso((d as { created_at?: unknown }).created_at),
    finishedAt: iso((d as { finished_at?: unknown }).finished_at),
    host,
    via,
  };
}

/**
 * Resolves (success) or throws the JobFailure for a finished Dify run. `retryAfterStart`: the
 * task says the workflow is idempotent, so a failure after it started may be retried.
 */
export function settle(
  state: RunState,
  output: DifyRunOutput,
  options: { retryAfterStart: boolean; log: (text: string) => void },
): JobOutcome {
  const usage: Usage | undefined = state.usage.summary();
  const terminal = state.terminal;
  if (terminal?.event === 'error') {
    const code = terminal.code ?? 'error';
    const before = state.events <= 1;
    const retryable =
      (code === 'internal_server_error' || code === 'completion_request_error') &&
      (before || options.retryAfterStart);
    throw new JobFailure(
      { type: 'dify', code, message: `Dify ${code}: ${terminal.message ?? '(no message)'}` },
      { retryable, output, usage },
    );
  }
  switch (output.status) {
    case 'succeeded':
      return { output, usage };
    case 'partial-succeeded':
      options.log(`Dify run partially succeeded: ${output.warnings} node(s) failed and were handled`);
      return { output, usage };
    case 'stopped':
      throw new JobFailure(
        { type: 'dify_stopped', message: `the Dify run was stopped: ${output.error ?? 'no reason given'}` },
        { status: 'cancelled', retryable: false, output, usage },
      );
    case 'paused':
      throw new JobFailure(
        {
          type: 'dify_paused',
          message: 'the Dify run paused for human input, which scheduled runs do not support',
        },
        { retryable: false, output, usage },
      );
    default:
      throw new JobFailure(
        {
          type: 'dify',
          difyStatus: output.status,
          message: `the Dify workflow ${output.status ?? 'ended'}: ${output.error ?? 'no error text'}`,
        },
        { retryable: options.retryAfterStart, output, usage },
      );
  }
}

/** The final status carried by run detail, if final. */
export function detailStatus(detail: Record<string, unknown>): string | null {
  return str(obj(detail)?.status);
}
