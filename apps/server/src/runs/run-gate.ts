/**
 * What may stop a due run before admission: its budget (skip it, or hold it until the next
 * period) and its provider pool (wait, queued, for the pool's pace). The engine asks the gate for
 * each candidate, highest priority first, in memory (no database read on this path); the
 * implementation lives in pacing/ and is given to the engine (absent: every run goes).
 */
import type { RunError } from '@kairos/protocol';
import type { RunEventRecord, RunRecord, TaskRecord } from '../store/records.js';

export type GateDecision =
  | { kind: 'go' }
  /** Wait among the queued runs; look again at `at` (null: when a run of its pool ends). */
  | { kind: 'wait'; at: number | null }
  /** Budget used up, onExceeded hold: released again at `until` (the next period). */
  | { kind: 'hold'; until: number; message: string }
  /** Budget used up, onExceeded skip: the run ends `skipped` with this error. */
  | { kind: 'skip'; error: RunError };

export interface RunGate {
  /** Loads what `check` needs for the task (its pool, its budgets' usage) ahead of its runs. */
  prefetch(task: TaskRecord): Promise<void>;
  /** Decides for one candidate; `go` takes its place in its pool (see refund and released). */
  check(run: RunRecord, task: TaskRecord, now: number): GateDecision;
  /** A candidate that got `go` was not started after all (admission refused it). */
  refund(run: RunRecord, now: number): void;
  /** A run started here (by `go`, or resumed after a restart) is over on this node. */
  released(run: RunRecord): void;
  /** A run started here: its events are watched (tokens so far, for budgets and pools). */
  watch(run: RunRecord, task: TaskRecord): void;
  /** One event of a live run (see RunEventSink). */
  event(entry: RunEventRecord): void;
}

/** Highest priority first; equal priorities keep their order (waiting runs, oldest, come first). */
export function byPriority<T extends { run: Pick<RunRecord, 'priority'> }>(candidates: T[]): T[] {
  return candidates.sort((a, b) => (b.run.priority ?? 0) - (a.run.priority ?? 0));
}

export interface GatedCandidates<T> {
  go: T[];
  wait: { c: T; at: number | null }[];
  hold: { c: T; until: number; message: string }[];
  skip: { c: T; error: RunError }[];
}

/** Sorts candidates by the gate's decision, in order. */
export function applyGate<T extends { run: RunRecord; task: TaskRecord }>(
  gate: RunGate | undefined,
  candidates: T[],
  now: number,
): GatedCandidates<T> {
  const out: GatedCandidates<T> = { go: [], wait: [], hold: [], skip: [] };
  if (!gate) {
    out.go = candidates;
    return out;
  }
  for (const c of candidates) {
    const decision = gate.check(c.run, c.task, now);
    switch (decision.kind) {
      case 'go':
        out.go.push(c);
        break;
      case 'wait':
        out.wait.push({ c, at: decision.at });
        break;
      case 'hold':
        out.hold.push({ c, until: decision.until, message: decision.message });
        break;
      case 'skip':
        out.skip.push({ c, error: decision.error });
        break;
    }
  }
  return out;
}
