/**
 * Run events (a job's track, e.g. Dify's workflow and node events): each one is numbered in its
 * run, cut at a size limit with a flag, queued on the run writer (stored in batches) and
 * published at once to in-process watchers (the live `GET /runs/{id}/stream`). Watchers learn
 * when the run ends, after its terminal status is stored.
 */
import type { Clock } from '../clock.js';
import type { RunEventRecord } from '../store/records.js';
import type { RunWriter } from './run-writer.js';

/** Largest stored event payload, in characters; longer ones are cut and flagged `truncated`. */
export const RUN_EVENT_DATA_LIMIT = 256 * 1024;

export interface RunEventWatcher {
  event(entry: RunEventRecord): void;
  /** The run finished (its terminal status is stored). */
  end(): void;
}

export class RunEventSink {
  private readonly seqs = new Map<number, number>();
  private readonly watchers = new Map<number, Set<RunEventWatcher>>();

  constructor(
    private readonly writer: RunWriter,
    private readonly clock: Clock,
    /** Sees every event as it is recorded (budgets and pools count the tokens of live runs). */
    private readonly tap?: ((entry: RunEventRecord) => void) | undefined,
  ) {}

  /** The recorder a run's JobContext gets; `lastSeq` continues a resumed run's numbering. */
  forRun(runId: number, lastSeq = 0): (kind: string, data: string) => void {
    this.seqs.set(runId, lastSeq);
    return (kind, data) => {
      const seq = (this.seqs.get(runId) ?? 0) + 1;
      this.seqs.set(runId, seq);
      const truncated = data.length > RUN_EVENT_DATA_LIMIT;
      const entry: RunEventRecord = {
        runId,
        seq,
        at: this.clock.now(),
        kind: kind.slice(0, 200),
        data: truncated ? data.slice(0, RUN_EVENT_DATA_LIMIT) : data,
        truncated,
      };
      this.writer.appendEvent(entry);
      this.tap?.(entry);
      const watching = this.watchers.get(runId);
      if (watching) for (const w of watching) w.event(entry);
    };
  }

  /** Whether the run is live on this node (its events are published here). */
  isLive(runId: number): boolean {
    return this.seqs.has(runId);
  }

  /** Watches a run's new events; returns the unsubscribe function. */
  watch(runId: number, watcher: RunEventWatcher): () => void {
    let set = this.watchers.get(runId);
    if (!set) this.watchers.set(runId, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(runId) === set) this.watchers.delete(runId);
    };
  }

  /** The run is over on this node (finished, or detached at shutdown): tell its watchers. */
  close(runId: number): void {
    this.seqs.delete(runId);
    const watching = this.watchers.get(runId);
    this.watchers.delete(runId);
    if (watching) for (const w of watching) w.end();
  }
}
