/**
 * What budgets used, counted by all the nodes of a cluster together (budget_counters, one row per
 * scope and period). Each node adds what its runs report as they go (live tokens) and as they
 * settle (the rest of their tokens, their cost), and reads the counters of the budgets it
 * decides on, every `syncMs` in one short transaction. So a node sees within about a second what
 * the others' runs used, where the run statistics it also reads show other nodes' settled runs
 * only at their refresh (10 s) and never their live tokens.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { BudgetCount, ClusterPaceStore } from '../store/cluster-pace-queries.js';
import { budgetCountKey } from '../store/cluster-pace-queries.js';

const DAY_MS = 86_400_000;

export interface SharedBudgetCountsDeps {
  store: Pick<ClusterPaceStore, 'addBudgetCounts'>;
  clock: Clock;
  onError: (error: unknown) => void;
  syncMs?: number;
}

interface Period {
  scope: string;
  periodStart: number;
  periodEnd: number;
}

export class SharedBudgetCounts {
  private pending = new Map<string, BudgetCount>();
  private readonly reading = new Map<string, Period>();
  private readonly seen = new Map<string, { tokens: number; cost: number }>();
  private timer: TimerHandle | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;
  private readonly syncMs: number;

  constructor(private readonly deps: SharedBudgetCountsDeps) {
    this.syncMs = deps.syncMs ?? 1000;
  }

  /** The scope's counter for the period is read at each sync from now on (while it lasts). */
  watch(period: Period): void {
    const key = budgetCountKey(period.scope, period.periodStart);
    if (!this.reading.has(key)) this.reading.set(key, period);
    this.tick();
  }

  /** Usage of this node's runs, to add to the scope's counter for the period. */
  add(period: Period, tokens: number, cost: number): void {
    if (tokens === 0 && cost === 0) return;
    const key = budgetCountKey(period.scope, period.periodStart);
    const count = this.pending.get(key) ?? { ...period, tokens: 0, cost: 0 };
    count.tokens += tokens;
    count.cost += cost;
    this.pending.set(key, count);
    this.tick();
  }

  /** The counter as last read, with what this node added since; undefined: not read yet. */
  get(scope: string, periodStart: number): { tokens: number; cost: number } | undefined {
    const key = budgetCountKey(scope, periodStart);
    const seen = this.seen.get(key);
    if (!seen) return undefined;
    const pending = this.pending.get(key);
    return { tokens: seen.tokens + (pending?.tokens ?? 0), cost: seen.cost + (pending?.cost ?? 0) };
  }

  /** Adds what is pending and reads the watched counters. */
  sync(): Promise<void> {
    this.syncing ??= this.addAndRead().finally(() => {
      this.syncing = undefined;
      this.tick();
    });
    return this.syncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.syncing;
    // What this node's runs used last is still counted.
    if (this.pending.size > 0) await this.addAndRead().catch((error) => this.deps.onError(error));
  }

  private async addAndRead(): Promise<void> {
    const now = this.deps.clock.now();
    for (const [key, period] of this.reading) {
      if (period.periodEnd <= now) {
        this.reading.delete(key);
        this.seen.delete(key);
      }
    }
    const adding = this.pending;
    this.pending = new Map();
    try {
      const read = [...this.reading.values()];
      const counters = await this.deps.store.addBudgetCounts([...adding.values()], read, now - DAY_MS);
      for (const period of read) {
        const key = budgetCountKey(period.scope, period.periodStart);
        this.seen.set(key, counters.get(key) ?? { tokens: 0, cost: 0 });
      }
    } catch (error) {
      for (const count of adding.values()) this.add(count, count.tokens, count.cost);
      this.deps.onError(error);
    }
  }

  private tick(): void {
    if (this.stopped || this.timer || (this.pending.size === 0 && this.reading.size === 0)) return;
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      void this.sync();
    }, this.syncMs);
  }
}
