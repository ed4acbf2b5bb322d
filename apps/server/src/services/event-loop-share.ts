/**
 * Keeps background work from holding the event loop: work that can wait a little (reading the
 * event streams of hundreds of live runs) calls `await share.turn()` before each piece, and once
 * such work has run for `sliceMs` without a pause, the next pieces wait for the following turn
 * of the loop. Timers (a run due now) and I/O then come first, so a node busy with streams still
 * starts runs on time. Pieces resume in the order they waited.
 *
 * A slice is one turn of the event loop: it opens with the first piece of the turn (or when
 * waiting pieces are let go) and closes after the turn's immediates. A piece running longer
 * than a slice is not cut (the pieces are small).
 */
import { setImmediate } from 'node:timers';

export class EventLoopShare {
  private sliceOpen = false;
  private sliceStartedAt = 0;
  private waiting: (() => void)[] = [];
  private releaseScheduled = false;

  constructor(private readonly sliceMs = 2) {}

  /** Resolves at once while the slice lasts, else on a later turn of the event loop. */
  async turn(): Promise<void> {
    while (!this.mayRun()) await this.nextSlice();
  }

  /** Pieces waiting for a turn (for tests and metrics). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  private mayRun(): boolean {
    const now = performance.now();
    if (!this.sliceOpen) this.openSlice(now);
    return now - this.sliceStartedAt < this.sliceMs;
  }

  private openSlice(now: number): void {
    this.sliceOpen = true;
    this.sliceStartedAt = now;
    setImmediate(() => (this.sliceOpen = false));
  }

  private nextSlice(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.releaseScheduled) return;
      this.releaseScheduled = true;
      setImmediate(() => {
        this.releaseScheduled = false;
        this.openSlice(performance.now());
        // Every waiting piece resumes and checks the slice again: those past its end wait anew,
        // in order, for the next turn.
        const released = this.waiting;
        this.waiting = [];
        for (const resolve of released) resolve();
      });
    });
  }
}

/**
 * The share of the event loop that streaming run events (e.g. Dify's) take: at most ~2 ms of
 * reading at a time before timers and I/O get their turn.
 */
export const streamReading = new EventLoopShare();
