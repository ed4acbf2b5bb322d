/**
 * The run gate of budgets and provider pools (runs/run-gate.ts): decides in memory, from the
 * pools, apps and namespaces cached here (refreshed every few seconds) and the budgets' usage
 * (budgets/budget-usage.ts). What it has not loaded yet does not stop a run: `prefetch` loads it
 * when a run is planned or triggered, ahead of its instant.
 *
 * It also watches live runs' node events (tokens so far, for budgets, tokensPerMinute and
 * stopWhenExceeded) and settled runs (final usage; a 429 or quota answer backs the pool off,
 * honouring Retry-After).
 */
import type { Budget, RunError, RunWaiting } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { BudgetUsage, scopeKey } from '../budgets/budget-usage.js';
import { exceededMessage, verdictOf } from '../budgets/budget-verdict.js';
import type { SharedBudgetCounts } from '../budgets/shared-budget-counts.js';
import type { RunAbort } from '../job-types/job-type.js';
import { parseDifyEvent } from '../job-types/dify/events.js';
import { UsageTally } from '../job-types/dify/usage.js';
import { DEFAULT_BACKOFF_MS, MAX_BACKOFF_MS, PoolPacer } from '../pools/pool-pacer.js';
import type { Pacer } from '../pools/pool-pacer.js';
import type { GateDecision, RunGate } from '../runs/run-gate.js';
import { ExpiringCache } from '../runtime/expiring-cache.js';
import { presentWait, RunWaits } from './run-waits.js';
import type { BudgetScope, PoolRecord } from '../store/pacing-queries.js';
import type { AppRecord, NamespaceRecord, RunEventRecord, RunRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

const CACHE_MS = 5000;

export interface PacingGateDeps {
  store: Store;
  clock: Clock;
  /** Aborts this node's live runs that match (the run engine's abortWhere). */
  abortWhere?: (match: (run: RunRecord) => boolean, abort: RunAbort) => void;
  usageRefreshMs?: number;
  /** The pools' pace: in memory (default, one process) or shared by a cluster's nodes. */
  pacer?: Pacer;
  /** A cluster's shared budget counters (absent: one process). */
  budgetCounts?: SharedBudgetCounts;
}

interface LiveTally {
  run: RunRecord;
  task: TaskRecord;
  tally: UsageTally;
  /** Tokens charged to the pool's token bucket so far. */
  charged: number;
}

export interface ScopedBudget {
  scope: BudgetScope;
  budget: Budget;
  /** "task 42", "app demo", "namespace default", for messages. */
  what: string;
}

/** A cache that answers at once with what it last loaded (refreshing in the background). */
class Known<V> {
  private readonly cache: ExpiringCache<number, V | undefined>;
  private readonly last = new Map<number, V | undefined>();
  constructor(
    private readonly load: (id: number) => Promise<V | undefined>,
    now: () => number,
  ) {
    this.cache = new ExpiringCache(CACHE_MS, now);
  }
  get(id: number): V | undefined {
    if (this.cache.peek(id) === undefined) void this.fetch(id).catch(() => undefined);
    return this.last.get(id);
  }
  async fetch(id: number): Promise<V | undefined> {
    const value = await this.cache.get(id, () => this.load(id));
    this.last.set(id, value);
    return value;
  }
  forget(id: number): void {
    this.cache.delete(id);
    this.last.delete(id);
  }
}

export class PacingGate implements RunGate {
  readonly pacer: Pacer;
  readonly usage: BudgetUsage;
  private readonly pools: Known<PoolRecord>;
  private readonly apps: Known<AppRecord>;
  private readonly namespaces: Known<NamespaceRecord>;
  private readonly live = new Map<number, LiveTally>();
  /** Why due runs of this node wait (pool, budget hold), for their page. */
  private readonly waits = new RunWaits();

  constructor(private readonly deps: PacingGateDeps) {
    const now = () => deps.clock.now();
    this.pacer = deps.pacer ?? new PoolPacer();
    this.usage = new BudgetUsage(deps.store, deps.clock, deps.usageRefreshMs, deps.budgetCounts);
    this.pools = new Known((id) => deps.store.getPool(id), now);
    this.apps = new Known((id) => deps.store.getApp(id), now);
    this.namespaces = new Known((id) => deps.store.getNamespace(id), now);
  }

  /** The last prefetch of each task record (see prefetch). */
  private readonly prefetched = new WeakMap<TaskRecord, { at: number; done: Promise<void> }>();

  setAbort(abortWhere: PacingGateDeps['abortWhere']): void {
    this.deps.abortWhere = abortWhere;
  }

  /**
   * Loads what the task's runs are paced by. The runs held together share one load: a batch's
   * thousand runs of a task are one task record, and a run is prefetched again when it is held.
   */
  prefetch(task: TaskRecord): Promise<void> {
    const now = this.deps.clock.now();
    const known = this.prefetched.get(task);
    if (known !== undefined && now - known.at < CACHE_MS) return known.done;
    const done = this.load(task);
    this.prefetched.set(task, { at: now, done });
    return done;
  }

  private async load(task: TaskRecord): Promise<void> {
    await Promise.all([
      task.poolId == null ? undefined : this.pools.fetch(task.poolId),
      this.apps.fetch(task.appId),
      this.namespaces.fetch(task.namespaceId),
    ]).catch(() => undefined);
    await Promise.all(this.budgetsOf(task).map((b) => this.usage.load(b.scope, b.budget)));
  }

  /** The budgets a task's runs count against: its own, its app's, its namespace's. */
  budgetsOf(task: TaskRecord): ScopedBudget[] {
    const out: ScopedBudget[] = [];
    if (task.budget)
      out.push({ scope: { kind: 'task', taskId: task.id }, budget: task.budget, what: `task ${task.id}` });
    const app = this.apps.get(task.appId);
    if (app?.budget)
      out.push({ scope: { kind: 'app', appId: app.id }, budget: app.budget, what: `app ${app.appName}` });
    const ns = this.namespaces.get(task.namespaceId);
    if (ns?.budget) {
      out.push({
        scope: { kind: 'namespace', namespaceId: ns.id },
        budget: ns.budget,
        what: `namespace ${ns.name}`,
      });
    }
    return out;
  }

  check(run: RunRecord, task: TaskRecord, now: number): GateDecision {
    for (const b of this.budgetsOf(task)) {
      const used = this.usage.peek(b.scope, b.budget);
      if (used === undefined || !verdictOf(b.budget, used).exceeded) continue;
      const resetsAt = this.usage.period(b.scope)?.end ?? now;
      const message = exceededMessage(b.what, b.budget, used, resetsAt);
      if (b.budget.onExceeded === 'hold') {
        const held = `held: ${message}`;
        this.waits.note(
          run.id,
          { reason: 'budget', poolId: null, budget: scopeKey(b.scope), until: resetsAt, message: held },
          now,
        );
        return { kind: 'hold', until: resetsAt, message: held };
      }
      this.waits.clear(run.id);
      const error: RunError = {
        type: 'budget',
        message: `skipped: ${message}`,
        scope: scopeKey(b.scope),
        resetsAt: new Date(resetsAt).toISOString(),
      };
      return { kind: 'skip', error };
    }
    const pool = task.poolId == null ? undefined : this.pools.get(task.poolId);
    if (!pool) {
      this.waits.clear(run.id);
      return { kind: 'go' };
    }
    const decision = this.pacer.tryStart(pool, run.id, now);
    if (decision.ok) {
      this.waits.clear(run.id);
      return { kind: 'go' };
    }
    const message = `waiting for pool ${pool.name}: ${decision.why}`;
    this.waits.note(
      run.id,
      { reason: 'pool', poolId: pool.id, budget: null, until: decision.at, message },
      now,
    );
    return { kind: 'wait', at: decision.at };
  }

  /** Why a due run of this node waits (its pool, a budget's hold), or null. */
  waitingOf(runId: number): RunWaiting | null {
    const wait = this.waits.get(runId);
    if (!wait) return null;
    return presentWait(wait, wait.poolId === null ? undefined : this.pools.get(wait.poolId)?.name);
  }

  refund(run: RunRecord, now: number): void {
    this.pacer.refund(run.id, now);
  }

  released(run: RunRecord): void {
    this.waits.clear(run.id);
    this.pacer.release(run.id);
    this.live.delete(run.id);
    this.usage.forgetLive(run.id);
  }

  watch(run: RunRecord, task: TaskRecord): void {
    const pool = task.poolId == null ? undefined : this.pools.get(task.poolId);
    if (pool?.tokensPerMinute == null && this.budgetsOf(task).length === 0) return;
    this.live.set(run.id, { run, task, tally: new UsageTally(), charged: 0 });
  }

  event(entry: RunEventRecord): void {
    const live = this.live.get(entry.runId);
    if (!live || !/^(node_finished|iteration_completed|loop_completed)$/.test(entry.kind)) return;
    const parsed = parseDifyEvent(entry.data);
    if (!parsed) return;
    live.tally.add(parsed);
    const tokens = live.tally.summary()?.totalTokens ?? 0;
    this.usage.live(live.run, tokens);
    this.charge(live, tokens);
    this.stopIfExceeded(live);
  }

  /** A run settled (event bus, after its transaction): final usage, and a provider's 429. */
  settled(run: RunRecord, task: TaskRecord | undefined): void {
    const live = this.live.get(run.id);
    this.waits.clear(run.id);
    this.usage.settled(run);
    if (live) this.charge(live, run.usage?.totalTokens ?? 0);
    const poolId = task?.poolId ?? live?.task.poolId ?? null;
    if (poolId === null || !run.error) return;
    const backoff = providerBackoffMs(run.error);
    if (backoff !== null) this.pacer.backoff(poolId, this.deps.clock.now() + backoff);
  }

  /** A pool or a budget changed on this node: forget what was cached. */
  forgetPool(poolId: number): void {
    this.pools.forget(poolId);
  }

  forgetBudgetsOf(scope: BudgetScope): void {
    if (scope.kind === 'app') this.apps.forget(scope.appId);
    if (scope.kind === 'namespace') this.namespaces.forget(scope.namespaceId);
    this.usage.invalidate(scope);
  }

  private charge(live: LiveTally, tokens: number): void {
    if (live.task.poolId == null || tokens <= live.charged) return;
    this.pacer.used(live.task.poolId, tokens - live.charged, this.deps.clock.now());
    live.charged = tokens;
  }

  private stopIfExceeded(live: LiveTally): void {
    for (const b of this.budgetsOf(live.task)) {
      if (!b.budget.stopWhenExceeded) continue;
      const used = this.usage.peek(b.scope, b.budget);
      if (used === undefined || !verdictOf(b.budget, used).exceeded) continue;
      const resetsAt = this.usage.period(b.scope)?.end ?? this.deps.clock.now();
      const message = `stopped: ${exceededMessage(b.what, b.budget, used, resetsAt)} (stopWhenExceeded)`;
      const key = scopeKey(b.scope);
      this.deps.abortWhere?.(
        (r) => `task:${r.taskId}` === key || `app:${r.appId}` === key || `namespace:${r.namespaceId}` === key,
        { kind: 'budget', message },
      );
      return;
    }
  }
}

/**
 * How long a provider's answer asks the pool to wait: a 429 (too many requests, or a quota used
 * up) or a 503, with its Retry-After when it sent one (cut to MAX_BACKOFF_MS); null for other errors.
 */
export function providerBackoffMs(error: RunError): number | null {
  const status = typeof error.status === 'number' ? error.status : null;
  const quota = error.code === 'rate_limit_error' || error.code === 'quota_exceeded';
  if (status !== 429 && status !== 503 && !quota) return null;
  const after = typeof error.retryAfterSeconds === 'number' ? error.retryAfterSeconds * 1000 : null;
  return Math.min(MAX_BACKOFF_MS, after ?? (quota ? 2 * DEFAULT_BACKOFF_MS : DEFAULT_BACKOFF_MS));
}
