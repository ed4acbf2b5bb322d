/**
 * How a job's settlement becomes a run's terminal status and stored error. Everything thrown is
 * normalised here, once.
 */
import type { RunError, Usage } from '@kairos/protocol';
import { KairosError, coerceError } from '../errors.js';
import { JobFailure } from '../job-types/job-type.js';
import type { RunAbort } from '../job-types/job-type.js';
import type { RunEnd } from '../store/store.js';

export interface RunOutcome {
  status: RunEnd['status'];
  output?: unknown;
  error: RunError | null;
  /** Whether the retry policy may try again. */
  retryable: boolean;
  usage?: Usage | undefined;
  /** Who ran it (see JobOutcome.executor). */
  executor?: string | undefined;
}

export function abortOutcome(abort: RunAbort, timeoutSeconds: number | null): RunOutcome {
  switch (abort.kind) {
    case 'timeout':
      return {
        status: 'timed_out',
        error: {
          type: 'timeout',
          message: `the run exceeded its timeout of ${timeoutSeconds ?? '?'} s and was stopped`,
        },
        retryable: true,
      };
    case 'cancel':
      return {
        status: 'cancelled',
        error: { type: 'cancelled', message: 'cancelled on request' },
        retryable: false,
      };
    case 'replace':
      return {
        status: 'cancelled',
        error: { type: 'cancelled', message: 'replaced by a newer run of the task (overlap: replace)' },
        retryable: false,
      };
    case 'budget':
      return {
        status: 'cancelled',
        error: { type: 'budget', message: abort.message ?? 'stopped: its budget was used up' },
        retryable: false,
      };
    case 'shutdown':
      return {
        status: 'failed',
        error: { type: 'shutdown', message: 'the server shut down before the run finished' },
        retryable: true,
      };
  }
}

export function failureOutcome(thrown: unknown): RunOutcome {
  if (thrown instanceof JobFailure) {
    return {
      status: thrown.status,
      output: thrown.output,
      error: thrown.error,
      retryable: thrown.retryable,
      ...(thrown.usage ? { usage: thrown.usage } : {}),
      ...(thrown.executor !== undefined ? { executor: thrown.executor } : {}),
    };
  }
  if (thrown instanceof KairosError) {
    const type = thrown.code === 'INVALID_CONFIG' ? 'config' : thrown.code.toLowerCase();
    return {
      status: 'failed',
      error: { type, message: thrown.message, ...(thrown.field ? { field: thrown.field } : {}) },
      retryable: false,
    };
  }
  const error = coerceError(thrown);
  return {
    status: 'failed',
    error: { type: 'exception', message: error.message, name: error.name },
    retryable: true,
  };
}

export const isRunAbort = (reason: unknown): reason is RunAbort =>
  typeof reason === 'object' && reason !== null && typeof (reason as RunAbort).kind === 'string';

/** The outcome of a run its signal aborted (a reason that is not a RunAbort counts as a cancel). */
export function abortOutcomeOf(signal: AbortSignal, timeoutSeconds: number | null): RunOutcome {
  const reason: unknown = signal.reason;
  return abortOutcome(isRunAbort(reason) ? reason : { kind: 'cancel' }, timeoutSeconds);
}

/** A job that resolved: the run succeeded with what it reported. */
export const successOutcome = (report: unknown): RunOutcome =>
  withJobReport({ status: 'succeeded', error: null, retryable: false }, report);

/**
 * An aborted run keeps what its job reported while stopping (a JobFailure's or outcome's output
 * and usage: for Dify, the run ids and the tokens spent before the stop).
 */
export function withJobReport(outcome: RunOutcome, report: unknown): RunOutcome {
  if (typeof report !== 'object' || report === null) return outcome;
  const { output, usage, executor } = report as {
    output?: unknown;
    usage?: Usage | undefined;
    executor?: string | undefined;
  };
  return {
    ...outcome,
    ...(output !== undefined ? { output } : {}),
    ...(usage ? { usage } : {}),
    ...(executor !== undefined ? { executor } : {}),
  };
}
