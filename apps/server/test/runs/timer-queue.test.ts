/**
 * The timer queue releases items at their instant, never before it, in order, whether it spins
 * the final milliseconds (within its per-second budget) or relies on its timer alone (past it).
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { TimerQueue } from '../../src/runs/timer-queue.js';

describe('TimerQueue', () => {
  it('releases hundreds of items at distinct instants in order, none before its instant', async () => {
    const released: { at: number; releasedAt: number }[] = [];
    const queue = new TimerQueue<number>(systemClock, (items) => {
      const now = Date.now();
      for (const at of items) released.push({ at, releasedAt: now });
    });
    // 400 instants 2 ms apart: more spinning than one second's budget allows.
    const start = Date.now() + 50;
    const instants = Array.from({ length: 400 }, (_, i) => start + i * 2);
    for (const at of [...instants].reverse()) queue.push(at, at);
    while (released.length < instants.length) await new Promise((r) => setTimeout(r, 20));
    queue.stop();
    expect(released.map((r) => r.at)).toEqual(instants);
    expect(released.filter((r) => r.releasedAt < r.at)).toEqual([]);
  });

  it('releases at once what is already due, and nothing after stop', async () => {
    const released: number[] = [];
    const queue = new TimerQueue<number>(systemClock, (items) => released.push(...items));
    queue.push(Date.now() - 5, 1);
    await new Promise((r) => setImmediate(r));
    expect(released).toEqual([1]);
    queue.push(Date.now() + 30, 2);
    expect(queue.stop()).toEqual([2]);
    await new Promise((r) => setTimeout(r, 60));
    expect(released).toEqual([1]);
  });
});
