/**
 * What each budget has used in its current period, in memory, so that admitting a run reads no
 * database. An entry is loaded once per period from the run statistics rollup (store.sumRunUsage),
 * then kept current from this node's settlements (`settled`) and refreshed in the background
 * every `refreshMs` (other nodes' settlements, on a cluster). Live runs add the tokens their node
 * events reported so far (`live`), until their settlement replaces them with their final usage.
 *
 * On a cluster, the counters the nodes share (shared-budget-counts.ts) hold what every node's
 * runs used, live tokens included, within about a second: the usage is the larger of the two.
 */
import type { Budget, Usage } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import type { BudgetScope, PacingStore } from '../store/pacing-queries.js';
import type { RunRecord } from '../store/records.js';
import { periodBounds } from './budget-period.js';
import type { SharedBudgetCounts } from './shared-budget-counts.js';

export interface Used {
  tokens: number;
  cost: number;
}

interface Entry {
  start: number;
  end: number;
  settled: Used;
  loadedAt: number;
  loading: Promise<void> | undefined;
}

export const scopeKey = (scope: BudgetScope): string =>
  scope.kind === 'task'
    ? `task:${scope.taskId}`
    : scope.kind === 'app'
      ? `app:${scope.appId}`
      : `namespace:${scope.namespaceId}`;

/** The scope keys a run counts against: its task, its app and its namespace. */
export const keysOfRun = (run: Pick<RunRecord, 'taskId' | 'appId' | 'namespaceId'>): string[] => [
  `task:${run.taskId}`,
  `app:${run.appId}`,
  `namespace:${run.namespaceId}`,
];

export class BudgetUsage {
  private readonly entries = new Map<string, Entry>();
  /** Tokens reported so far by runs live on this node, with the scope keys they count against. */
  private readonly liveRuns = new Map<number, { keys: string[]; tokens: number }>();

  constructor(
    private readonly store: Pick<PacingStore, 'sumRunUsage'>,
    private readonly clock: Clock,
    private readonly refreshMs = 10_000,
    /** A cluster's shared counters (absent: one process, its own settlements are all there is). */
    private readonly shared?: SharedBudgetCounts,
  ) {}

  /** Loads (or reloads when stale or of a past period) the scope's usage. */
  load(scope: BudgetScope, budget: Budget): Promise<void> {
    const key = scopeKey(scope);
    const now = this.clock.now();
    const entry = this.entries.get(key);
    const current = entry !== undefined && now >= entry.start && now < entry.end;
    if (current && now - entry.loadedAt < this.refreshMs) return Promise.resolve();
    if (entry?.loading) return entry.loading;
    const { start, end } = periodBounds(budget.period, budget.timezone, now);
    const target: Entry = current
      ? entry
      : { start, end, settled: { tokens: 0, cost: 0 }, loadedAt: -Infinity, loading: undefined };
    if (!current) {
      this.entries.set(key, target);
      this.shared?.watch({ scope: key, periodStart: start, periodEnd: end });
    }
    const before = { ...target.settled };
    target.loading = this.store
      .sumRunUsage(scope, target.start, target.end)
      .then((sum) => {
        // Settlements counted while the sum was read are kept on top (counting a run twice
        // until the next refresh errs on the side of the budget).
        target.settled = {
          tokens: sum.tokens + (target.settled.tokens - before.tokens),
          cost: sum.cost + (target.settled.cost - before.cost),
        };
        target.loadedAt = this.clock.now();
      })
      .catch(() => undefined)
      .finally(() => (target.loading = undefined));
    return target.loading;
  }

  /**
   * The scope's usage in its current period, or undefined when it is not loaded yet (or its
   * period is over); starts a refresh when stale.
   */
  peek(scope: BudgetScope, budget: Budget): Used | undefined {
    const key = scopeKey(scope);
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (!entry || now >= entry.end || now < entry.start || entry.loadedAt === -Infinity) {
      void this.load(scope, budget);
      return undefined;
    }
    if (now - entry.loadedAt >= this.refreshMs) void this.load(scope, budget);
    let tokens = entry.settled.tokens;
    for (const live of this.liveRuns.values()) if (live.keys.includes(key)) tokens += live.tokens;
    const shared = this.shared?.get(key, entry.start);
    if (!shared) return { tokens, cost: entry.settled.cost };
    return { tokens: Math.max(tokens, shared.tokens), cost: Math.max(entry.settled.cost, shared.cost) };
  }

  /** The period [start, end) the scope's entry covers, once loaded. */
  period(scope: BudgetScope): { start: number; end: number } | undefined {
    const entry = this.entries.get(scopeKey(scope));
    return entry && { start: entry.start, end: entry.end };
  }

  /** A live run's tokens so far (node events). */
  live(run: Pick<RunRecord, 'id' | 'taskId' | 'appId' | 'namespaceId'>, tokens: number): void {
    const before = this.liveRuns.get(run.id)?.tokens ?? 0;
    this.liveRuns.set(run.id, { keys: keysOfRun(run), tokens });
    if (this.shared && tokens > before) this.addShared(keysOfRun(run), this.clock.now(), tokens - before, 0);
  }

  /** A run settled (on this node): its final usage counts, its live tokens no longer. */
  settled(run: RunRecord): void {
    const liveTokens = this.liveRuns.get(run.id)?.tokens ?? 0;
    this.liveRuns.delete(run.id);
    const usage: Usage | null = run.usage;
    if (!usage || run.finishedAt === null) return;
    if (this.shared) {
      const rest = Math.max(0, (usage.totalTokens ?? 0) - liveTokens);
      this.addShared(keysOfRun(run), run.finishedAt, rest, usage.totalPrice ?? 0);
    }
    for (const key of keysOfRun(run)) {
      const entry = this.entries.get(key);
      if (!entry || run.finishedAt < entry.start || run.finishedAt >= entry.end) continue;
      entry.settled.tokens += usage.totalTokens ?? 0;
      entry.settled.cost += usage.totalPrice ?? 0;
    }
  }

  /** Adds to the shared counters of the scopes' periods holding `at` (scopes with a budget loaded here). */
  private addShared(keys: string[], at: number, tokens: number, cost: number): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry || at < entry.start || at >= entry.end) continue;
      this.shared?.add({ scope: key, periodStart: entry.start, periodEnd: entry.end }, tokens, cost);
    }
  }

  /** The run is no longer live here without a settlement seen (detached at shutdown). */
  forgetLive(runId: number): void {
    this.liveRuns.delete(runId);
  }

  /** A budget changed: its next look reloads it. */
  invalidate(scope: BudgetScope): void {
    this.entries.delete(scopeKey(scope));
  }
}
