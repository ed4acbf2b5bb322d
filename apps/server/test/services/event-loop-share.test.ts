import { describe, expect, it } from 'vitest';
import { EventLoopShare } from '../../src/services/event-loop-share.js';

/** Keeps the thread busy for `ms`, as parsing a chunk of events does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('EventLoopShare', () => {
  it('lets a timer due meanwhile run on time while many streams of work wait their turn, each in order', async () => {
    const share = new EventLoopShare(2);
    const done: number[][] = [];
    const stream = async (id: number): Promise<void> => {
      const seen: number[] = [];
      for (let piece = 0; piece < 10; piece++) {
        await share.turn();
        busy(0.5);
        seen.push(piece);
      }
      done[id] = seen;
    };
    // 40 streams × 10 pieces × 0.5 ms: 200 ms of work queued at once.
    const armedAt = performance.now();
    const timer = new Promise<number>((resolve) =>
      setTimeout(() => resolve(performance.now() - armedAt), 20),
    );
    const streams = Promise.all(Array.from({ length: 40 }, (_, i) => stream(i)));
    const firedAfter = await timer;
    const workLeft = share.waitingCount;
    await streams;

    // Without the share the timer would wait for all 200 ms of work.
    expect(firedAfter).toBeLessThan(80);
    expect(workLeft).toBeGreaterThan(0);
    expect(done).toHaveLength(40);
    for (const seen of done) expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('does not hold pieces back while the loop is quiet', async () => {
    const share = new EventLoopShare(2);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 5));
      const before = performance.now();
      await share.turn();
      expect(performance.now() - before).toBeLessThan(2);
    }
  });
});
