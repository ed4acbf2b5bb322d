/**
 * Write-behind for the run hot path: starts, finishes and log lines are queued and written in
 * batches (one store call per kind per flush, each one transaction), so a thousand runs due in
 * the same millisecond cost a few transactions, not thousands. Order is kept: within a flush,
 * starts are written before logs and finishes. A failed write is retried, never dropped.
 */
import type { FinishRequest, StartRequest, Store } from '../store/store.js';
import type { RunEventRecord, RunLogRecord } from '../store/records.js';

const RETRY_DELAY_MS = 500;
const CLOSE_TIMEOUT_MS = 10_000;

interface PendingFinish {
  request: FinishRequest;
  resolve: (finished: boolean) => void;
}

export class RunWriter {
  private starts: StartRequest[] = [];
  private logs: Omit<RunLogRecord, 'seq'>[] = [];
  private events: RunEventRecord[] = [];
  private finishes: PendingFinish[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  /** After close(): the store is gone; late writes (a job logging after it was stopped) are dropped. */
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  markStarted(start: StartRequest): void {
    this.starts.push(start);
    this.schedule();
  }

  appendLog(entry: Omit<RunLogRecord, 'seq'>): void {
    this.logs.push(entry);
    this.schedule();
  }

  /** Queues a run event (migration 0002); written with the logs, before finishes. */
  appendEvent(entry: RunEventRecord): void {
    this.events.push(entry);
    this.schedule();
  }

  /** Resolves once the finish is committed: true if it finished the run, false if it was already terminal. */
  finish(request: FinishRequest): Promise<boolean> {
    return new Promise((resolve) => {
      this.finishes.push({ request, resolve });
      this.schedule();
    });
  }

  /**
   * Writes what is queued (for at most `timeoutMs`: a database that is gone must not hold the
   * shutdown forever), then refuses further writes. Call it right before closing the store.
   */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    if (this.pending()) this.onError(new Error('run writes still pending at shutdown were dropped'));
    this.closed = true;
    this.drop();
  }

  /** Resolves when everything queued so far is written. */
  async flush(): Promise<void> {
    while (this.flushing || this.pending()) {
      if (!this.flushing) this.flushing = this.write();
      await this.flushing;
    }
  }

  private drop(): void {
    for (const f of this.finishes) f.resolve(false);
    this.starts = [];
    this.logs = [];
    this.events = [];
    this.finishes = [];
  }

  private pending(): boolean {
    return (
      this.starts.length > 0 || this.logs.length > 0 || this.events.length > 0 || this.finishes.length > 0
    );
  }

  private schedule(): void {
    if (this.closed) {
      this.drop();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.flushing) this.flushing = this.write();
    });
  }

  private async write(): Promise<void> {
    const starts = this.starts;
    const logs = this.logs;
    const finishes = this.finishes;
    const events = this.events;
    this.starts = [];
    this.logs = [];
    this.events = [];
    this.finishes = [];
    try {
      if (starts.length > 0) await this.store.markRunsStarted(starts);
      if (logs.length > 0) await this.store.appendRunLogs(logs);
      if (events.length > 0) await this.store.appendRunEvents(events);
      if (finishes.length > 0) {
        const results = await this.store.finishRuns(finishes.map((f) => f.request));
        finishes.forEach((f, i) => f.resolve(results[i] ?? false));
      }
    } catch (error) {
      this.onError(error);
      // Put the batch back in front, in order, and try again shortly: nothing is dropped.
      this.starts = [...starts, ...this.starts];
      this.logs = [...logs, ...this.logs];
      this.events = [...events, ...this.events];
      this.finishes = [...finishes, ...this.finishes];
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    } finally {
      this.flushing = undefined;
      if (this.pending()) this.schedule();
    }
  }
}
