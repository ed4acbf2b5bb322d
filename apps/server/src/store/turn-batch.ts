/**
 * A write asked for many times in one turn of the event loop, done once for all of them (a group
 * commit): the single triggers of a turn in one transaction, the executions completed in it, the
 * audit entries written in it. Each call alone was a commit of its own, whose cost (the pages
 * written to SQLite's WAL, a round trip to PostgreSQL) the calls of a turn share. Each caller gets
 * its own result; when the write throws, every caller of the turn gets the error.
 */
import { setImmediate } from 'node:timers';

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class TurnBatch<I, R> {
  #waiting: Waiting<I, R>[] = [];

  /** `write`: the items of a turn at once, a result per item, in order. */
  constructor(private readonly write: (items: I[]) => R[] | Promise<R[]>) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    try {
      const results = await this.write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
