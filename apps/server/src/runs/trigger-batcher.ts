/**
 * Single triggers (`POST /tasks/{id}/run`, a replay, a judge's run) arriving in the same turn of
 * the event loop are stored together: one transaction for all of them (a group commit), as a
 * batch request's are, where each alone cost a commit of its own (about 160 µs on SQLite, a
 * round trip on PostgreSQL). A batch the store refuses (nothing of it stored: one transaction)
 * is stored again one trigger at a time, so that one bad trigger (its task deleted meanwhile)
 * fails alone; what was stored is then held for its start, once.
 */
import { setImmediate } from 'node:timers';
import type { RunRecord, TaskRecord } from '../store/store.js';
import type { Trigger } from './triggered-run.js';

export type TaskTrigger = Trigger & { task: TaskRecord };
export type Triggered = { run: RunRecord; created: boolean };

interface Waiting {
  trigger: TaskTrigger;
  resolve: (result: Triggered) => void;
  reject: (error: unknown) => void;
}

export class TriggerBatcher {
  #waiting: Waiting[] = [];

  constructor(
    /** Stores triggers in one transaction, in order, nothing else. */
    private readonly store: (triggers: TaskTrigger[]) => Promise<Triggered[]>,
    /** Holds the runs stored triggers created until they start. */
    private readonly hold: (triggers: TaskTrigger[], results: Triggered[]) => Promise<void>,
  ) {}

  trigger(trigger: TaskTrigger): Promise<Triggered> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ trigger, resolve, reject });
      if (this.#waiting.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    const stored = await this.#storeAll(batch);
    const kept = batch.filter((_, i) => stored[i] !== undefined);
    const results = stored.filter((r): r is Triggered => r !== undefined);
    try {
      await this.hold(
        kept.map((w) => w.trigger),
        results,
      );
      kept.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of kept) w.reject(error);
    }
  }

  /** Each trigger's stored run, or undefined where it was refused (its waiter told why). */
  async #storeAll(batch: Waiting[]): Promise<(Triggered | undefined)[]> {
    try {
      return await this.store(batch.map((w) => w.trigger));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return [undefined];
      }
      return Promise.all(
        batch.map((w) =>
          this.store([w.trigger]).then(
            ([result]) => result,
            (alone: unknown) => {
              w.reject(alone);
              return undefined;
            },
          ),
        ),
      );
    }
  }
}
