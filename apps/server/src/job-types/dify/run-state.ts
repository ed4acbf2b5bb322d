/**
 * What a Dify run has told Kairos so far: its ids, whether it started, its terminal event and
 * its usage. Fed every parsed event in arrival order; events a re-attach replays are skipped.
 */
import { replayKey, str, TERMINAL_EVENTS } from './events.js';
import type { DifyEvent } from './events.js';
import { UsageTally } from './usage.js';

export class RunState {
  workflowRunId: string | null = null;
  taskId: string | null = null;
  workflowId: string | null = null;
  /** Dify events received (parsed); garbage lines are counted apart. */
  events = 0;
  garbage = 0;
  terminal: DifyEvent | undefined;
  /** Set when the outcome came from run detail (polling) rather than a terminal event. */
  detail: Record<string, unknown> | undefined;
  readonly usage = new UsageTally();
  private readonly seen = new Set<string>();

  /**
   * Counts a text chunk without parsing it, once the run's ids are known (chunks carry nothing
   * else the run reads, and are never replayed); false before that: parse and apply it.
   */
  countTextChunk(): boolean {
    if (this.workflowRunId === null || this.taskId === null) return false;
    this.events++;
    return true;
  }

  /** Applies an event; false when it is a replay already seen (the caller need not record it). */
  apply(event: DifyEvent): boolean {
    const key = replayKey(event);
    if (key !== null) {
      if (this.seen.has(key)) return false;
      this.seen.add(key);
    }
    this.events++;
    this.workflowRunId ??= str(event.workflow_run_id) ?? null;
    this.taskId ??= str(event.task_id) ?? null;
    const d = event.data ?? {};
    if (event.event === 'workflow_started' || event.event === 'workflow_finished') {
      this.workflowId ??= str(d.workflow_id);
      this.workflowRunId ??= str(d.id);
    }
    this.usage.add(event);
    if (TERMINAL_EVENTS.has(event.event)) this.terminal = event;
    return true;
  }
}
