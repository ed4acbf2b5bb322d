/**
 * The one table of a run's status changes. Every change of a run's status is checked against it
 * (RunSettler for endings, admission for starts); the store applies a change only while the run
 * is still in the status the caller expected (compare-and-set), so two writers never both win.
 *
 *   scheduled ──► running ──► succeeded | failed | timed_out | cancelled | lost
 *       └────────► cancelled | skipped        (never started)
 */
import type { RunStatus } from '@kairos/protocol';
import { KairosError } from '../errors.js';

/** The statuses a run ends in. */
export type EndStatus = Exclude<RunStatus, 'scheduled' | 'running'>;

const ALLOWED: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  scheduled: ['running', 'cancelled', 'skipped'],
  running: ['succeeded', 'failed', 'timed_out', 'cancelled', 'lost'],
  succeeded: [],
  failed: [],
  timed_out: [],
  cancelled: [],
  skipped: [],
  lost: [],
};

export function canChange(from: RunStatus, to: RunStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws when `from -> to` is not in the table: a programming error, never a user's. */
export function assertChange(from: RunStatus, to: RunStatus): void {
  if (!canChange(from, to)) {
    throw new KairosError('INTERNAL', `a run cannot change from ${from} to ${to}`);
  }
}
