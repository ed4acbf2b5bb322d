/**
 * Why this node keeps due runs waiting before admission (their pool has no room, a budget holds
 * them), and since when, so that a run's page says so rather than show a bare `scheduled`. In
 * memory and observational only: what decides is the gate; a run's entry goes when it starts, is
 * skipped or ends.
 */
import type { RunWaiting } from '@kairos/protocol';

export interface RunWait {
  reason: 'pool' | 'budget';
  poolId: number | null;
  budget: string | null;
  since: number;
  until: number | null;
  message: string;
}

export class RunWaits {
  private readonly waits = new Map<number, RunWait>();

  /** The run waits (again): its reason is kept current, its `since` is the first of that reason. */
  note(runId: number, wait: Omit<RunWait, 'since'>, now: number): void {
    const before = this.waits.get(runId);
    const since = before && before.reason === wait.reason ? before.since : now;
    this.waits.set(runId, { ...wait, since });
  }

  clear(runId: number): void {
    this.waits.delete(runId);
  }

  get(runId: number): RunWait | undefined {
    return this.waits.get(runId);
  }

  get size(): number {
    return this.waits.size;
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function presentWait(wait: RunWait, poolName: string | undefined): RunWaiting {
  return {
    reason: wait.reason,
    pool: wait.reason === 'pool' ? (poolName ?? `pool ${wait.poolId}`) : null,
    budget: wait.budget,
    since: iso(wait.since)!,
    until: iso(wait.until),
    message: wait.message,
  };
}
