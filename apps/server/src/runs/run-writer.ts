/**
 * Write-behind for the run hot path: starts, finishes and log lines are queued and written in
 * batches (one store call per kind per flush, each one transaction), so a thousand runs due in
 * the same millisecond cost a few transactions, not thousands. Order is kept: within a flush,
 * starts are written before logs and finishes. A failed write is retried, never dropped.
 *
 * A write blocks the event loop while it runs (SQLite is synchronous), so it stays short: at most
 * MAX_ROWS_PER_WRITE log lines and as many events per write (hundreds of live Dify runs queue
 * thousands of events a second; one 2,000-row write held the loop ~20 ms), and, when the engine
 * says when its next run is due, no write starts just before that instant.
 */
import type { FinishRequest, StartRequest, Store } from '../store/store.js';
import type { RunEventRecord, RunLogRecord } from '../store/records.js';

const RETRY_DELAY_MS = 500;
const CLOSE_TIMEOUT_MS = 10_000;
/** Log lines, and events, written per write at most (about 3 ms of SQLite each on the bench machine). */
export const MAX_ROWS_PER_WRITE = 300;
/** No write starts when a run is due within this many ms. */
const QUIET_BEFORE_RELEASE_MS = 4;

export interface RunWriterOptions {
  /** Ms until the next planned run is due (negative: due already; Infinity: none). */
  msUntilNextRelease?: (() => number) | undefined;
}

interface PendingFinish {
  request: FinishRequest;
  resolve: (finished: boolean) => void;
  /** Log lines and events queued before it: it is written with or after them. */
  logsBefore: number;
  eventsBefore: number;
}

export class RunWriter {
  private starts: StartRequest[] = [];
  private logs: Omit<RunLogRecord, 'seq'>[] = [];
  private events: RunEventRecord[] = [];
  private finishes: PendingFinish[] = [];
  /** Counts of log lines and events ever queued, and ever taken into a write. */
  private logsQueued = 0;
  private logsTaken = 0;
  private eventsQueued = 0;
  private eventsTaken = 0;
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  /** After close(): the store is gone; late writes (a job logging after it was stopped) are dropped. */
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
    private readonly options: RunWriterOptions = {},
  ) {}

  markStarted(start: StartRequest): void {
    this.starts.push(start);
    this.schedule();
  }

  appendLog(entry: Omit<RunLogRecord, 'seq'>): void {
    this.logs.push(entry);
    this.logsQueued++;
    this.schedule();
  }

  /** Queues a run event (migration 0002); written with the logs, before finishes. */
  appendEvent(entry: RunEventRecord): void {
    this.events.push(entry);
    this.eventsQueued++;
    this.schedule();
  }

  /** Resolves once the finish is committed: true if it finished the run, false if it was already terminal. */
  finish(request: FinishRequest): Promise<boolean> {
    return new Promise((resolve) => {
      this.finishes.push({
        request,
        resolve,
        logsBefore: this.logsQueued,
        eventsBefore: this.eventsQueued,
      });
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
    this.logsTaken = this.logsQueued;
    this.eventsTaken = this.eventsQueued;
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
    setImmediate(() => this.startWrite(false));
  }

  /** Starts a write, once put off past a release due within a few ms. */
  private startWrite(putOff: boolean): void {
    const wait = putOff ? Infinity : (this.options.msUntilNextRelease?.() ?? Infinity);
    if (wait >= 0 && wait < QUIET_BEFORE_RELEASE_MS && !this.closed) {
      setTimeout(() => this.startWrite(true), wait + 1);
      return;
    }
    this.scheduled = false;
    if (!this.flushing) this.flushing = this.write();
  }

  private async write(): Promise<void> {
    const starts = this.starts;
    this.starts = [];
    const logs = this.logs.splice(0, MAX_ROWS_PER_WRITE);
    const events = this.events.splice(0, MAX_ROWS_PER_WRITE);
    this.logsTaken += logs.length;
    this.eventsTaken += events.length;
    // A run's finish is written with or after its last lines and events: finishes queued after
    // lines or events left for a later write wait for that write.
    let ready = 0;
    for (const f of this.finishes) {
      if (f.logsBefore > this.logsTaken || f.eventsBefore > this.eventsTaken) break;
      ready++;
    }
    const finishes = this.finishes.splice(0, ready);
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
      this.logsTaken -= logs.length;
      this.eventsTaken -= events.length;
      this.finishes = [...finishes, ...this.finishes];
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    } finally {
      this.flushing = undefined;
      if (this.pending()) this.schedule();
    }
  }
}
