import { describe, expect, it } from 'vitest';
import { forEachInSlices } from '../../src/runtime/loop-slices.js';

/** Keeps the thread busy for `ms` (an item whose handling costs CPU). */
const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('forEachInSlices', () => {
  it('lets a timer and process.nextTick callbacks run between slices, items in order', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    const items = Array.from({ length: 20 }, (_, i) => i);
    await forEachInSlices(
      items,
      (item, index) => {
        expect(index).toBe(item);
        busy(1);
        order.push(`item ${item}`);
        process.nextTick(() => order.push(`tick ${item}`));
      },
      { sliceMs: 3, mayPause: () => true },
    );
    const handled = order.filter((o) => o.startsWith('item'));
    expect(handled).toEqual(items.map((i) => `item ${i}`));
    // The timer ran before the last item, and the first item's tick before the last item too.
    expect(order.indexOf('timer')).toBeGreaterThan(-1);
    expect(order.indexOf('timer')).toBeLessThan(order.indexOf('item 19'));
    expect(order.indexOf('tick 0')).toBeLessThan(order.indexOf('item 19'));
  });

  it('runs the rest in one go once mayPause says no', async () => {
    const order: string[] = [];
    let paused = true;
    setTimeout(() => order.push('timer'), 0);
    await forEachInSlices(
      Array.from({ length: 10 }, (_, i) => i),
      (item) => {
        paused = false; // from the first item on, no pauses
        busy(1);
        order.push(`item ${item}`);
      },
      { sliceMs: 0, mayPause: () => paused },
    );
    // No turn of the loop happened inside: the timer came after every item.
    expect(order.indexOf('timer')).toBe(-1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order.at(-1)).toBe('timer');
  });
});
