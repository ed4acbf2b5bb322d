/**
 * Write-behind for the run hot path: settlements (a run's end and what follows it), log lines
 * and events are queued and written in batches (one store call per kind per flush, each one
 * transaction), so a thousand runs ending in the same millisecond cost a few transactions, not
 * thousands. Order is kept: within a flush, logs and events are written before settlements. A
 * failed write is retried, never dropped. (Starts are not written behind: a run's start is
 * stored before its job can have any outside effect, see admission.ts.)
 *
 * A write takes everything queued (so the writer always keeps up) but stores log lines and
 * events in statements of at most ROWS_PER_CHUNK rows, and no statement starts in the moments
 * before a planned run's release (EventLoopShare.whenClear): a statement blocks the loop while
 * it runs (SQLite is synchronous), and hundreds of live Dify runs queue thousands of events a
 * second (one 2,000-row insert held the loop ~20 ms). (Capping rows per write instead made the
 * writer fall behind at 3,000 runs/s: writes come once per turn of a busy loop, and finishes
 * piled up.)
 */
import type { SettleResult, Settlement, Store } from '../store/store.js';
import type { RunEventRecord, RunLogRecord } from '../store/records.js';
import type { BackgroundShare } from '../runtime/latency-tuning.js';

const RETRY_DELAY_MS = 500;
const CLOSE_TIMEOUT_MS = 10_000;
/** Log lines, or events, per statement (about 1 ms of SQLite on the bench machine). */
export const ROWS_PER_CHUNK = 100;

export interface RunWriterOptions {
  /**
   * The event loop's share of background work: the writer's statements wait while a planned run
   * is about to be released (they are not sliced like stream reading: taking turns with hundreds
   * of streams, one statement per turn, the writer fell behind).
   */
  share?: BackgroundShare | undefined;
  /**
   * Log lines, or events, per statement (default ROWS_PER_CHUNK). A PostgreSQL statement does not
   * hold the event loop, and each one waits for a pool connection: fewer, larger ones.
   */
  rowsPerStatement?: number | undefined;
}

interface PendingSettlement {
  settlement: Settlement;
  resolve: (result: SettleResult) => void;
}

export class RunWriter {
  private logs: Omit<RunLogRecord, 'seq'>[] = [];
  private events: RunEventRecord[] = [];
  private settlements: PendingSettlement[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  /** After close(): the store is gone; late writes (a job logging after it was stopped) are dropped. */
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
    private readonly options: RunWriterOptions = {},
  ) {}

  appendLog(entry: Omit<RunLogRecord, 'seq'>): void {
    this.logs.push(entry);
    this.schedule();
  }

  /** Queues a run event; written with the logs, before settlements. */
  appendEvent(entry: RunEventRecord): void {
    this.events.push(entry);
    this.schedule();
  }

  /** Resolves once the settlement is committed, with whether it applied (see Store.settleRuns). */
  settle(settlement: Settlement): Promise<SettleResult> {
    return new Promise((resolve) => {
      this.settlements.push({ settlement, resolve });
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
    for (const p of this.settlements) p.resolve({ settled: false, retry: null });
    this.logs = [];
    this.events = [];
    this.settlements = [];
  }

  private pending(): boolean {
    return this.logs.length > 0 || this.events.length > 0 || this.settlements.length > 0;
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

  /** One statement, once no planned run is about to be released (see EventLoopShare). */
  private async runStatement<T>(statement: () => Promise<T>): Promise<T> {
    await this.options.share?.whenClear();
    return statement();
  }

  private async write(): Promise<void> {
    const logs = this.logs;
    const events = this.events;
    const settlements = this.settlements;
    this.logs = [];
    this.events = [];
    this.settlements = [];
    // Rows already stored, so that a failed write puts back only the rest (a log line has no
    // key of its own: written twice, it would show twice).
    let logsDone = 0;
    let eventsDone = 0;
    const rows = this.options.rowsPerStatement ?? ROWS_PER_CHUNK;
    try {
      for (; logsDone < logs.length; logsDone += rows) {
        const chunk = logs.slice(logsDone, logsDone + rows);
        await this.runStatement(() => this.store.appendRunLogs(chunk));
      }
      for (; eventsDone < events.length; eventsDone += rows) {
        const chunk = events.slice(eventsDone, eventsDone + rows);
        await this.runStatement(() => this.store.appendRunEvents(chunk));
      }
      if (settlements.length > 0) {
        const results = await this.store.settleRuns(settlements.map((p) => p.settlement));
        settlements.forEach((p, i) => p.resolve(results[i] ?? { settled: false, retry: null }));
      }
    } catch (error) {
      this.onError(error);
      // Put back what was not written, in front, in order, and try again shortly: nothing is dropped.
      this.logs = [...logs.slice(logsDone), ...this.logs];
      this.events = [...events.slice(eventsDone), ...this.events];
      this.settlements = [...settlements, ...this.settlements];
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    } finally {
      this.flushing = undefined;
      if (this.pending()) this.schedule();
    }
  }
}
