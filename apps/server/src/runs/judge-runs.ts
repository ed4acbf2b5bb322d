/**
 * A judge is an ordinary run of the judge task (triggerType `judge`), recorded and visible like
 * any other; the judged run waits for its end. Its idempotency key is the judged run's id, so a
 * judged run resumed after a restart finds the judge run it started rather than paying for a
 * second one. A judge task's own retries are not awaited: the first end of its run answers.
 */
import type { EventBus } from '../events.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import type { Trigger } from './run-engine.js';

const TERMINAL = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'lost']);

export interface JudgeRunDeps {
  store: Store;
  events: EventBus;
  trigger: (task: TaskRecord, trigger: Trigger) => Promise<{ run: RunRecord; created: boolean }>;
  cancel: (runId: number) => Promise<unknown>;
}

export class JudgeRuns {
  constructor(private readonly deps: JudgeRunDeps) {}

  /**
   * Runs the judge task on `input` for the judged run and resolves with the judge run as it
   * ended; null when the judge task is gone, the run could not be triggered, or `signal` aborted
   * first (the judge run is then cancelled).
   */
  async judge(
    judgeTaskId: number,
    judgedRunId: number,
    input: unknown,
    signal: AbortSignal,
  ): Promise<RunRecord | null> {
    const task = await this.deps.store.getTask(judgeTaskId);
    if (!task || signal.aborted) return null;
    // Listen before triggering: the judge run may end before trigger() returns its id.
    const ended = new Map<number, RunRecord>();
    let wanted: number | undefined;
    let resolveEnd: (run: RunRecord | null) => void = () => {};
    const end = new Promise<RunRecord | null>((resolve) => (resolveEnd = resolve));
    const off = this.deps.events.on('run:finished', ({ run }) => {
      if (wanted === undefined) ended.set(run.id, run);
      else if (run.id === wanted) resolveEnd(run);
    });
    const onAbort = () => resolveEnd(null);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let run: RunRecord;
      try {
        ({ run } = await this.deps.trigger(task, {
          input,
          triggerType: 'judge',
          idempotencyKey: `judge:${judgedRunId}`,
        }));
      } catch {
        // Refused (the node is shutting down): no answer, which fails the gate, retryably.
        return null;
      }
      wanted = run.id;
      const early = ended.get(run.id);
      ended.clear();
      if (early) return early;
      if (TERMINAL.has(run.status)) return run;
      // Triggered before (a resumed run): it may have ended before we listened.
      const stored = await this.deps.store.getRun(run.id);
      if (stored && TERMINAL.has(stored.status)) return stored;
      const result = await end;
      if (result === null) await this.deps.cancel(run.id).catch(() => undefined);
      return result;
    } finally {
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
