/**
 * Long synchronous work cut into slices of the event loop: after each `sliceMs` of it, the loop
 * takes a turn (its process.nextTick callbacks, timers and I/O) before the work goes on. The
 * run engine starts a burst of runs due at one instant this way, so that the first runs' requests
 * leave (node:http writes them on process.nextTick) and a run due meanwhile is released on time,
 * rather than both waiting for the whole burst.
 */
import { setImmediate } from 'node:timers';

/** Resolves on the next turn of the event loop (after its timers and I/O). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Calls `each` for every item in order, letting the loop take a turn after every `sliceMs` of
 * work while `mayPause()` says so (once it says no, the rest runs in one go).
 */
export async function forEachInSlices<T>(
  items: readonly T[],
  each: (item: T, index: number) => void,
  options: { sliceMs: number; mayPause: () => boolean },
): Promise<void> {
  let sliceStartedAt = performance.now();
  for (const [index, item] of items.entries()) {
    each(item, index);
    if (options.mayPause() && performance.now() - sliceStartedAt >= options.sliceMs) {
      await nextTurn();
      sliceStartedAt = performance.now();
    }
  }
}
