/**
 * Releases items at their instant, to the millisecond: a binary min-heap over claimed runs and
 * ONE timer armed for the earliest. Node's timers fire 1 ms or more late, so the timer is armed
 * a little early and the last stretch is covered by setImmediate turns (cheap, bounded to the
 * final millisecond), which is what keeps start lateness p50 near 1 ms instead of "next poll".
 */
import type { Clock, TimerHandle } from '../clock.js';

interface Entry<T> {
  at: number;
  seq: number;
  item: T;
}

/** How early the timer is armed, in ms; the rest is covered by setImmediate turns. */
const EARLY_WAKE_MS = 2;

export class TimerQueue<T> {
  private heap: Entry<T>[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private spinning = false;
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
    const wait = first.at - this.clock.now() - (this.fineGrained ? EARLY_WAKE_MS : 0);
    if (wait <= 0) {
      this.spinUntilDue();
      return;
    }
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.spinUntilDue();
    }, wait);
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
        if (!this.fineGrained || first.at - now > EARLY_WAKE_MS) {
          this.spinning = false;
          this.arm();
          return;
        }
        setImmediate(step);
        return;
      }
      this.spinning = false;
      const due: T[] = [];
      while (this.heap[0] && this.heap[0].at <= now) due.push(this.heapPop()!.item);
      this.armedFor = Infinity;
      this.arm();
      this.release(due);
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
