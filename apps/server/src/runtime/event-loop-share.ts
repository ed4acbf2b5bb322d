/**
 * Keeps background work from holding the event loop: work that can wait a little (reading the
 * event streams of hundreds of live runs) is cut into small synchronous pieces run through
 * `share.run(piece)`, and once such work has run for `sliceMs` without a
 * pause, the next pieces wait for the following turn of the loop. Timers (a run due now) and I/O
 * then come first, so a node busy with streams still starts runs on time. Pieces run in the
 * order they came. (The share runs each piece itself: had it only let pieces go, every piece
 * let go in one turn would have checked the time before any of them ran.)
 *
 * Instants that must not be late (a planned run's release, see `keepClearBefore`) are kept clear:
 * from QUIET_BEFORE_MS before such an instant until it is reached, no piece starts, and work that
 * is not sliced but can wait that long (the run writer's statements) waits in `whenClear`, so the
 * release does not wait behind background work. Never for more than MAX_HOLD_MS in a row.
 *
 * A slice is one turn of the event loop: it opens with the first piece of the turn (or when
 * waiting pieces are run) and closes after the turn's immediates. A piece running longer than a
 * slice is not cut (callers keep pieces small).
 *
 * Reading is shared the same way (`readTurn`): a stream asks for its turn before each read, and a
 * turn of the loop grants a fixed number, so the reads of hundreds of streams are spread over turns.
 */
import { setImmediate, setTimeout } from 'node:timers';

/**
 * Stream reads per turn of the loop (see readTurn): a read with its share of stream and HTTP
 * handling costs ~15 µs, so 32 are ~0.5 ms of a turn; waiting streams get more bytes per read.
 */
const READS_PER_TURN = 32;
/** How long before a kept-clear instant background work pauses, in ms. */
const QUIET_BEFORE_MS = 3;
/**
 * An instant overdue by more than this no longer holds work back (a release that is late
 * already is running, or its owner stopped without saying so).
 */
const OVERDUE_LIMIT_MS = 20;
/**
 * Background work is held at most this long in a row: when instants keep coming (runs due every
 * millisecond), it then gets a slice anyway, or it would never run.
 */
const MAX_HOLD_MS = 5;
/**
 * How often held work looks again, in ms: on a timer rather than every turn of the loop, which
 * would keep a core busy for nothing while runs are due every few ms (the executors, on the same
 * machine, got less of it).
 */
const QUIET_RECHECK_MS = 1;

interface Piece {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class EventLoopShare {
  /** Reads are paced (see readTurn). */
  readonly pacesReads = true;
  private sliceOpen = false;
  /** Stream reads allowed in the current turn so far (see readTurn). */
  private readsThisTurn = 0;
  private readTurnOpen = false;
  /** Reads waiting for their turn: each one's resolve. */
  private readonly readers = new TurnQueue<() => void>({
    quiet: () => this.quiet(),
    openTurn: () => this.openReadTurn(),
    mayTake: () => this.mayRead(),
    take: (resolve) => resolve(),
  });
  private sliceStartedAt = 0;
  /** Pieces waiting for their turn. */
  private readonly waiting = new TurnQueue<Piece>({
    quiet: () => this.quiet(),
    openTurn: () => this.openSlice(performance.now()),
    mayTake: () => this.mayRun(),
    take: (piece) => {
      try {
        piece.resolve(piece.work());
      } catch (error) {
        piece.reject(error);
      }
    },
  });
  private readonly instants = new Set<() => number>();
  /** performance.now() since when work has been held for an instant (-1: it is not). */
  private heldSince = -1;
  /** Until then (performance.now()), work runs despite near instants (see MAX_HOLD_MS). */
  private grantedUntil = 0;

  constructor(
    private readonly sliceMs = 2,
    /** Stream reads allowed per turn of the loop (see readTurn). */
    private readonly readsPerTurn = READS_PER_TURN,
  ) {}

  /**
   * Resolves when a background stream may read its next chunk: at most `readsPerTurn` a turn,
   * in the order asked, none in the moments before a kept-clear instant. A read happens in the
   * poll phase of the loop, outside any piece, so pieces alone cannot bound a turn: hundreds of
   * streams written to at the same moments (Dify runs started together) made every socket
   * readable at once, and one poll phase read them all (~500 reads, 6-8 ms, measured). The
   * stream's socket must stop reading while its reader waits (a small readableHighWaterMark).
   */
  readTurn(): Promise<void> {
    if (this.readers.length === 0 && this.mayRead()) return Promise.resolve();
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /**
   * Runs `work` (a small synchronous piece) now if the slice lasts, else on a later turn of the
   * event loop, after the pieces that waited before it. Resolves to what it returned.
   */
  run<T>(work: () => T): Promise<Awaited<T>> {
    if (this.waiting.length === 0 && this.mayRun()) {
      try {
        return Promise.resolve(work()) as Promise<Awaited<T>>;
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return new Promise((resolve, reject) =>
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject }),
    );
  }

  /**
   * Keeps the moments before an instant clear of background work; `msUntil()` says how far off
   * the next one is (Infinity: none). Returns a function that stops it.
   */
  keepClearBefore(msUntil: () => number): () => void {
    this.instants.add(msUntil);
    return () => this.instants.delete(msUntil);
  }

  /**
   * Resolves at once, or once the moments before a kept-clear instant have passed: for work that
   * must keep its pace (the run writer) but can let a run due now go first.
   */
  whenClear(): Promise<void> {
    if (!this.quiet()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.quiet()) setTimeout(check, QUIET_RECHECK_MS);
        else resolve();
      };
      setTimeout(check, QUIET_RECHECK_MS);
    });
  }

  /** Pieces waiting for a turn (for tests and metrics). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  private mayRun(): boolean {
    if (this.quiet()) return false;
    const now = performance.now();
    if (!this.sliceOpen) this.openSlice(now);
    return now - this.sliceStartedAt < this.sliceMs;
  }

  /**
   * True while a kept-clear instant is near (or just overdue), unless work has been held for
   * MAX_HOLD_MS already: then a slice is let through.
   */
  private quiet(): boolean {
    if (!this.instantNear()) {
      this.heldSince = -1;
      return false;
    }
    const now = performance.now();
    if (now < this.grantedUntil) return false;
    if (this.heldSince < 0) this.heldSince = now;
    else if (now - this.heldSince >= MAX_HOLD_MS) {
      this.heldSince = -1;
      this.grantedUntil = now + this.sliceMs;
      return false;
    }
    return true;
  }

  private instantNear(): boolean {
    for (const msUntil of this.instants) {
      const wait = msUntil();
      if (wait < QUIET_BEFORE_MS && wait > -OVERDUE_LIMIT_MS) return true;
    }
    return false;
  }

  private mayRead(): boolean {
    if (this.quiet()) return false;
    if (!this.readTurnOpen) this.openReadTurn();
    if (this.readsThisTurn >= this.readsPerTurn) return false;
    this.readsThisTurn++;
    return true;
  }

  private openReadTurn(): void {
    this.readTurnOpen = true;
    this.readsThisTurn = 0;
    setImmediate(() => (this.readTurnOpen = false));
  }

  private openSlice(now: number): void {
    this.sliceOpen = true;
    this.sliceStartedAt = now;
    setImmediate(() => (this.sliceOpen = false));
  }
}

/**
 * Items that wait for a turn of the event loop: on the next turn (later, while the share is
 * quiet) the turn is opened and items are taken in order while the turn allows; the rest wait
 * for the following turn.
 */
class TurnQueue<T> {
  private readonly items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly turn: {
      /** Whether items must wait (the moments before a kept-clear instant). */
      quiet(): boolean;
      openTurn(): void;
      mayTake(): boolean;
      take(item: T): void;
    },
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.release);
  }

  private readonly release = (): void => {
    if (this.turn.quiet()) {
      setTimeout(this.release, QUIET_RECHECK_MS);
      return;
    }
    this.scheduled = false;
    this.turn.openTurn();
    while (this.items.length > 0 && this.turn.mayTake()) this.turn.take(this.items.shift()!);
    if (this.items.length > 0) this.schedule();
  };
}
