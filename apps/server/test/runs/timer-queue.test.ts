/**
 * The timer queue releases items at their instant, never before it, in order, whether it spins
 * the final milliseconds (within its per-second budget) or relies on its timer alone (past it).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { TimerQueue } from '../../src/runs/timer-queue.js';

describe('TimerQueue', () => {
  it('releases hundreds of items at distinct instants in order, none before its instant', async () => {
    const released: { at: number; releasedAt: number }[] = [];
    let allReleased!: () => void;
    const done = new Promise<void>((resolve) => (allReleased = resolve));
    // 400 instants 2 ms apart: more spinning than one second's budget allows.
    const start = Date.now() + 50;
    const instants = Array.from({ length: 400 }, (_, i) => start + i * 2);
    const queue = new TimerQueue<number>(systemClock, (items) => {
      const now = Date.now();
      for (const at of items) released.push({ at, releasedAt: now });
      if (released.length >= instants.length) allReleased();
    });
    for (const at of [...instants].reverse()) queue.push(at, at);
    await done;
    queue.stop();
    expect(released.map((r) => r.at)).toEqual(instants);
    expect(released.filter((r) => r.releasedAt < r.at)).toEqual([]);
  });

  it('releases what is already due once the pushing code is done, in one batch, and nothing after stop', async () => {
    const clock = new ManualClock(1_000_000);
    const released: number[][] = [];
    const queue = new TimerQueue<number>(clock, (items) => released.push(items), false);
    // The same items in a queue left running: what the stopped one would have released.
    const running: number[] = [];
    const control = new TimerQueue<number>(clock, (items) => running.push(...items), false);
    queue.push(clock.now() - 5, 1);
    queue.push(clock.now(), 4);
    expect(released).toEqual([]);
    await Promise.resolve();
    expect(released).toEqual([[1, 4]]);
    queue.push(clock.now() + 30, 2);
    control.push(clock.now() + 30, 2);
    expect(queue.stop()).toEqual([2]);
    queue.push(clock.now() + 40, 3);
    clock.advance(60);
    expect(running).toEqual([2]);
    expect(released).toEqual([[1, 4]]);
    expect(queue.size).toBe(0);
  });
});
