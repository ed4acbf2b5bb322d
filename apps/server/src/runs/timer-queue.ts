/**
 * Releases items at their instant, to the millisecond: a binary min-heap over claimed runs and
 * ONE timer armed for the earliest. Node's timers fire 1 ms or more late, so the timer is armed
 * a little early and the last stretch is covered by setImmediate turns (bounded to the final
 * 2 ms), which is what keeps start lateness p50 near 0 ms instead of "next poll".
 *
 * Those turns keep a core busy while they last, so they have a budget: at most
 * SPIN_TURNS_PER_SECOND turns of each second (about 15 ms of CPU on an idle loop, where a 2 ms
 * spin is ~1,300 turns). Runs due at a few instants a second (cron) always get it; when
 * hundreds of instants a second are due (200 tasks spread over the second), spinning for each
 * took a quarter of a core (1.7 million turns in 10 s, measured) away from the executors and
 * workflows the runs call; past the budget an item is released by its timer alone, within about
 * a millisecond of its instant on an idle loop (on a busy one, after the turn under way). The
 * budget counts turns, not the wall time they span: on a loop busy with other work (hundreds of
 * live streams) a spin of 2 ms is a handful of turns and costs next to nothing, and counted as
 * 2 ms it used up the budget within half a second, after which runs waited for the turn under
 * way (4-8 ms, measured).
 */
import type { Clock, TimerHandle } from '../clock.js';

interface Entry<T> {
  at: number;
  seq: number;
  item: T;
}

/** How early the timer is armed, in ms; the rest is covered by setImmediate turns. */
const EARLY_WAKE_MS = 2;
/**
 * setImmediate turns allowed for spinning per second of wall time (a turn of an otherwise idle
 * loop costs ~1.5 µs, measured: 1.7 million turns took 2.5 s of CPU; on a busy loop each turn
 * also costs a poll of the sockets that would otherwise have waited for more to do).
 */
const SPIN_TURNS_PER_SECOND = 10_000;

/** Spinning turns taken in the current second. */
class SpinBudget {
  private windowStart = 0;
  private turns = 0;

  /** Whether spinning may go on. */
  allows(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.turns = 0;
    }
    return this.turns < SPIN_TURNS_PER_SECOND;
  }

  /** One more turn spent spinning. */
  spend(): void {
    this.turns++;
  }
}

export class TimerQueue<T> {
  private heap: Entry<T>[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private spinning = false;
  /** A release of what is already due is queued (see releaseSoon). */
  private releasePending = false;
  private readonly spinBudget = new SpinBudget();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    /** Receives every item that is due, in due order, in one batch per wake-up. */
    private readonly release: (items: T[]) => void,
    /** With a fake clock the final setImmediate stretch would never end: turn it off. */
    private readonly fineGrained = true,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** The instant of the earliest waiting item, or Infinity. */
  get nextAt(): number {
    return this.heap[0]?.at ?? Infinity;
  }

  push(at: number, item: T): void {
    if (this.stopped) return;
    this.heapPush({ at, seq: this.seq++, item });
    if (at < this.armedFor) this.arm();
  }

  /** Removes the items that match; returns them. */
  remove(match: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: Entry<T>[] = [];
    for (const entry of this.heap) {
      if (match(entry.item)) removed.push(entry.item);
      else kept.push(entry);
    }
    if (removed.length === 0) return removed;
    this.heap = [];
    for (const entry of kept) this.heapPush(entry);
    this.arm();
    return removed;
  }

  /** Stops releasing; returns what was still waiting. */
  stop(): T[] {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    const left = this.heap.map((e) => e.item);
    this.heap = [];
    return left;
  }

  private arm(): void {
    const first = this.heap[0];
    this.timer?.cancel();
    this.timer = undefined;
    if (!first || this.stopped) {
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = first.at;
    const early = this.fineGrained && this.spinBudget.allows() ? EARLY_WAKE_MS : 0;
    const wait = first.at - this.clock.now() - early;
    if (wait <= 0) {
      this.releaseSoon();
      return;
    }
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.spinUntilDue();
    }, wait);
  }

  /**
   * Items already due when pushed are released once the code pushing them is done (a microtask
   * later), together: a loop holding a thousand triggered runs releases them in one batch, and
   * they are admitted and started in one transaction, not a thousand.
   */
  private releaseSoon(): void {
    if (this.releasePending) return;
    this.releasePending = true;
    queueMicrotask(() => {
      this.releasePending = false;
      this.spinUntilDue();
    });
  }

  private spinUntilDue(): void {
    if (this.spinning) return;
    this.spinning = true;
    const step = (): void => {
      if (this.stopped) {
        this.spinning = false;
        return;
      }
      const first = this.heap[0];
      if (!first) {
        this.spinning = false;
        this.armedFor = Infinity;
        return;
      }
      const now = this.clock.now();
      if (first.at > now) {
        if (this.fineGrained && first.at - now <= EARLY_WAKE_MS && this.spinBudget.allows()) {
          this.spinBudget.spend();
          setImmediate(step);
          return;
        }
        this.spinning = false;
        this.arm();
        return;
      }
      this.spinning = false;
      const due: T[] = [];
      while (this.heap[0] && this.heap[0].at <= now) due.push(this.heapPop()!.item);
      this.armedFor = Infinity;
      // Released before re-arming: arm() releases at once what is due by then (the clock may
      // have ticked meanwhile), and those items must come after these.
      this.release(due);
      this.arm();
    };
    step();
  }

  private heapPush(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private heapPop(): Entry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = <T>(a: Entry<T>, b: Entry<T>): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
