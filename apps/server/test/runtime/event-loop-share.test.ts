import { describe, expect, it } from 'vitest';
import { EventLoopShare } from '../../src/runtime/event-loop-share.js';

/** Keeps the thread busy for `ms`, as parsing a chunk of events does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** Counts turns of the event loop (one immediate per turn) until stopped. */
function turnCounter(): { readonly turn: number; stop(): void } {
  let turn = 0;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    turn++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turn() {
      return turn;
    },
    stop: () => (stopped = true),
  };
}

describe('EventLoopShare', () => {
  it('lets a timer due meanwhile run on time while many streams of work wait their turn, each in order', async () => {
    const share = new EventLoopShare(2);
    const turns = turnCounter();
    const done: number[][] = [];
    const piecesPerTurn = new Map<number, number>();
    const stream = async (id: number): Promise<void> => {
      const seen: number[] = [];
      for (let piece = 0; piece < 10; piece++) {
        await share.run(() => {
          busy(0.5);
          piecesPerTurn.set(turns.turn, (piecesPerTurn.get(turns.turn) ?? 0) + 1);
          seen.push(piece);
        });
      }
      done[id] = seen;
    };
    // 40 streams × 10 pieces × 0.5 ms: 200 ms of work queued at once.
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 20));
    const streams = Promise.all(Array.from({ length: 40 }, (_, i) => stream(i)));
    await timer;
    const workLeft = share.waitingCount;
    await streams;
    turns.stop();

    // Without the share the timer would wait for all 200 ms of work: it fires while work still
    // waits. (How late it fires is a figure: bench/event-loop-share.js.)
    expect(workLeft).toBeGreaterThan(0);
    // A turn runs pieces for the 2 ms slice (4 of 0.5 ms, a fifth may start at its edge), never
    // all the pieces that waited.
    expect(Math.max(...piecesPerTurn.values())).toBeLessThanOrEqual(6);
    expect(done).toHaveLength(40);
    for (const seen of done) expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs a piece at once while the loop is quiet, and hands back its result or error', async () => {
    const share = new EventLoopShare(2);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 5));
      let ran = false;
      const result = share.run(() => {
        ran = true;
        return i * 2;
      });
      expect(ran).toBe(true); // synchronously, before run() returned
      expect(await result).toBe(i * 2);
    }
    await expect(
      share.run(() => {
        throw new Error('bad piece');
      }),
    ).rejects.toThrow('bad piece');
  });

  it('runs no piece in the moments before a kept-clear instant', async () => {
    const share = new EventLoopShare(2);
    const dueAt = performance.now() + 2;
    const stop = share.keepClearBefore(() => dueAt - performance.now());
    let ranAt = 0;
    await share.run(() => (ranAt = performance.now()));
    stop();
    expect(ranAt).toBeGreaterThanOrEqual(dueAt);
    // Without the instant, the next piece runs at once.
    let ranNow = false;
    void share.run(() => (ranNow = true));
    expect(ranNow).toBe(true);
  });

  it('holds work that waits for a clear moment (the run writer) until a kept-clear instant has passed', async () => {
    const share = new EventLoopShare(2);
    const dueAt = performance.now() + 2;
    const stop = share.keepClearBefore(() => dueAt - performance.now());
    await share.whenClear();
    const clearAt = performance.now();
    stop();
    expect(clearAt).toBeGreaterThanOrEqual(dueAt);
    // Far from any instant it does not wait: it resolves before the next turn of the loop.
    const farAt = performance.now() + 60_000;
    const stopFar = share.keepClearBefore(() => farAt - performance.now());
    let nextTurn = false;
    setImmediate(() => (nextTurn = true));
    await share.whenClear();
    stopFar();
    expect(nextTurn).toBe(false);
  });

  it('does not starve work when kept-clear instants keep coming (runs due every millisecond)', async () => {
    const share = new EventLoopShare(2);
    const stop = share.keepClearBefore(() => 1);
    let pieces = 0;
    for (let i = 0; i < 20; i++) await share.run(() => pieces++);
    for (let i = 0; i < 5; i++) await share.whenClear();
    stop();
    // Held at most ~5 ms at a time, then a 2 ms slice: every step got through (how fast is a
    // figure: bench/event-loop-share.js).
    expect(pieces).toBe(20);
  });

  it('grants stream reads a few per turn of the loop, in the order they were asked for', async () => {
    const share = new EventLoopShare(2, 4);
    const turns = turnCounter();
    const granted: { stream: number; turn: number }[] = [];
    // 10 streams each reading 3 chunks: 30 reads asked for, 4 granted a turn.
    await Promise.all(
      Array.from({ length: 10 }, async (_, stream) => {
        for (let chunk = 0; chunk < 3; chunk++) {
          await share.readTurn();
          granted.push({ stream, turn: turns.turn });
        }
      }),
    );
    turns.stop();
    expect(granted).toHaveLength(30);
    const perTurn = new Map<number, number>();
    for (const g of granted) perTurn.set(g.turn, (perTurn.get(g.turn) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(4);
    expect(perTurn.size).toBeGreaterThanOrEqual(30 / 4);
    // First come, first served: the first reads go to streams 0-3, in that order.
    expect(granted.slice(0, 4).map((g) => g.stream)).toEqual([0, 1, 2, 3]);
  });

  it('grants no read in the moments before a kept-clear instant', async () => {
    const share = new EventLoopShare(2, 4);
    const dueAt = performance.now() + 2;
    const stop = share.keepClearBefore(() => dueAt - performance.now());
    await share.readTurn();
    const grantedAt = performance.now();
    stop();
    expect(grantedAt).toBeGreaterThanOrEqual(dueAt);
  });
});
