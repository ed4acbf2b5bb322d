/**
 * Single triggers (`POST /tasks/{id}/run`, a replay, a judge's run) arriving in the same turn of
 * the event loop are stored together (store/turn-batch.ts): one transaction for all of them, as
 * a batch request's are, where each alone cost a commit of its own (about 160 µs on SQLite, a
 * round trip on PostgreSQL). A batch the store refuses (nothing of it stored: one transaction) is
 * stored again one trigger at a time, so that one bad trigger (its task deleted meanwhile) fails
 * alone; what was stored is then held for its start, once.
 */
import { TurnBatch } from '../store/turn-batch.js';
import type { RunRecord, TaskRecord } from '../store/store.js';
import type { Trigger } from './triggered-run.js';

export type TaskTrigger = Trigger & { task: TaskRecord };
export type Triggered = { run: RunRecord; created: boolean };

/** A trigger's outcome within its turn: its run, or why the store refused it. */
type Outcome = { stored: Triggered } | { refused: unknown };

export class TriggerBatcher {
  readonly #turn = new TurnBatch<TaskTrigger, Outcome>((triggers) => this.#storeAndHold(triggers));

  constructor(
    /** Stores triggers in one transaction, in order, nothing else. */
    private readonly store: (triggers: TaskTrigger[]) => Promise<Triggered[]>,
    /** Holds the runs stored triggers created until they start. */
    private readonly hold: (triggers: TaskTrigger[], results: Triggered[]) => Promise<void>,
  ) {}

  async trigger(trigger: TaskTrigger): Promise<Triggered> {
    const outcome = await this.#turn.add(trigger);
    if ('refused' in outcome) throw outcome.refused;
    return outcome.stored;
  }

  async #storeAndHold(triggers: TaskTrigger[]): Promise<Outcome[]> {
    const outcomes = await this.#store(triggers);
    const stored = outcomes.flatMap((o, i) =>
      'stored' in o ? [{ trigger: triggers[i]!, result: o.stored }] : [],
    );
    // A hold that fails fails the stored ones' callers (TurnBatch hands them the error).
    await this.hold(
      stored.map((s) => s.trigger),
      stored.map((s) => s.result),
    );
    return outcomes;
  }

  async #store(triggers: TaskTrigger[]): Promise<Outcome[]> {
    try {
      return (await this.store(triggers)).map((stored) => ({ stored }));
    } catch (error) {
      if (triggers.length === 1) return [{ refused: error }];
      return Promise.all(
        triggers.map((t) =>
          this.store([t]).then(
            ([stored]): Outcome => ({ stored: stored! }),
            (refused: unknown): Outcome => ({ refused }),
          ),
        ),
      );
    }
  }
}
