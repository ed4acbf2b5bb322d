/**
 * Threshold rules, evaluated continuously by one node: failure_rate and no_success over a window,
 * executors_online below N, token_budget and cost_budget per hour or day, and duration (a run
 * still going after N seconds). On PostgreSQL only the node holding the evaluator's cluster-wide
 * lock evaluates (store.holdEvaluatorLock); on SQLite the one process does.
 *
 * A rule fires once when its figure crosses the threshold and sends a recovery when it clears:
 * the last alert of each rule and target says which side it was on (store.latestAlertStates), so
 * a node taking over the lock continues where the previous one stopped. `duration` fires once per
 * run and has no recovery (the run's end is its own news). A muted rule is not evaluated.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import type { AlertRuleRecord, AlertState, NewAlert } from '../store/alert-records.js';
import type { Store } from '../store/store.js';
import type { RunScope } from '../store/threshold-queries.js';
import type { AlertRuleCache } from './alert-rule-cache.js';

const THRESHOLD_KINDS = new Set([
  'failure_rate',
  'no_success',
  'executors_online',
  'token_budget',
  'cost_budget',
  'duration',
  'budget',
]);

/** A budget rule fires at each of these shares of the scope's budget (and recovers next period). */
const BUDGET_LEVELS = [80, 100] as const;

/** Where the budget of a rule's scope stands (budgets/budget-service.ts); undefined: it has none. */
export type BudgetLevelSource = (
  namespaceId: number,
  scope: AlertRuleRecord['scope'],
) => Promise<{ fraction: number; summary: string } | undefined>;

/** One measurement of a rule on one target. */
export interface Measurement {
  dedupKey: string;
  breached: boolean;
  value: number;
  summary: string;
  taskId?: number | null;
  runId?: number | null;
}

/** Pure: the alert state a measurement moves to, or undefined when nothing is to be said. */
export function thresholdTransition(
  breached: boolean,
  previous: AlertState | undefined,
): 'firing' | 'resolved' | undefined {
  if (breached && previous !== 'firing') return 'firing';
  if (!breached && previous === 'firing') return 'resolved';
  return undefined;
}

export interface ThresholdEvaluatorDeps {
  store: Store;
  clock: Clock;
  rules: AlertRuleCache;
  logger: Logger;
  /** How often thresholds are evaluated, in ms. */
  intervalMs: number;
  /** An executor without a heartbeat for this long is not online (config executorDeadMs). */
  executorDeadMs: number;
  /** Alerts were written: wake the delivery worker. */
  onWritten: () => void;
  /** The budgets of tasks, apps and namespaces (absent: budget rules measure nothing). */
  budgetLevel?: BudgetLevelSource | undefined;
}

export class ThresholdEvaluator {
  #timer: TimerHandle | undefined;
  #running = false;
  #pass: Promise<void> | undefined;

  constructor(private readonly deps: ThresholdEvaluatorDeps) {}

  start(): void {
    this.#running = true;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    await this.#pass;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.deps.clock.setTimer(() => {
      this.#pass = this.#tick().finally(() => {
        this.#pass = undefined;
        this.#schedule();
      });
    }, this.deps.intervalMs);
  }

  async #tick(): Promise<void> {
    try {
      if (!(await this.deps.store.holdEvaluatorLock())) return;
      await this.evaluateOnce();
    } catch (error) {
      this.deps.logger.error(
        { err: error },
        'threshold evaluation failed; trying again at the next interval',
      );
    }
  }

  /** One pass over every threshold rule; returns the alerts written (tests drive it directly). */
  async evaluateOnce(): Promise<NewAlert[]> {
    const now = this.deps.clock.now();
    const rules = (await this.deps.rules.all()).filter(
      (r) => THRESHOLD_KINDS.has(r.on) && r.enabled && (r.mutedUntil === null || r.mutedUntil <= now),
    );
    if (rules.length === 0) return [];
    const states = await this.deps.store.latestAlertStates(rules.map((r) => r.id));
    const alerts: NewAlert[] = [];
    for (const rule of rules) {
      let measurements: Measurement[];
      try {
        measurements = await this.#measure(rule, now);
      } catch (error) {
        this.deps.logger.error({ err: error, ruleId: rule.id }, 'measuring a threshold rule failed');
        continue;
      }
      for (const m of measurements) {
        const state = thresholdTransition(m.breached, states.get(`${rule.id}|${m.dedupKey}`));
        if (state === undefined) continue;
        alerts.push({
          ruleId: rule.id,
          namespaceId: rule.namespaceId,
          on: rule.on,
          state,
          dedupKey: m.dedupKey,
          appId: rule.scope.kind === 'app' ? rule.scope.appId : null,
          taskId: m.taskId ?? (rule.scope.kind === 'task' ? rule.scope.taskId : null),
          runId: m.runId ?? null,
          facts: {
            summary: state === 'resolved' ? `Back to normal: ${m.summary}` : m.summary,
            value: m.value,
            threshold: rule.threshold ?? undefined,
            windowSeconds: rule.windowSeconds ?? undefined,
            at: now,
          },
          // Transitions are sent once by construction; a silence would only hide a recovery.
          silenceSeconds: 0,
          notify: rule.notify,
          createdAt: now,
        });
      }
    }
    if (alerts.length > 0) {
      const written = await this.deps.store.recordAlerts(alerts);
      if (written.deliveries > 0) this.deps.onWritten();
    }
    return alerts;
  }

  async #measure(rule: AlertRuleRecord, now: number): Promise<Measurement[]> {
    const { store } = this.deps;
    const scope: RunScope = {
      namespaceId: rule.namespaceId,
      appId: rule.scope.kind === 'app' ? rule.scope.appId : undefined,
      taskId: rule.scope.kind === 'task' ? rule.scope.taskId : undefined,
    };
    const dedupKey =
      rule.scope.kind === 'task'
        ? `task:${rule.scope.taskId}`
        : rule.scope.kind === 'app'
          ? `app:${rule.scope.appId}`
          : `namespace:${rule.namespaceId}`;
    const where = rule.scope.kind === 'namespace' ? 'the namespace' : `the ${rule.scope.kind}`;
    const threshold = rule.threshold ?? 0;
    const windowMs = (rule.windowSeconds ?? 0) * 1000;
    switch (rule.on) {
      case 'failure_rate': {
        const stats = await store.finishedRunStats(scope, now - windowMs);
        const rate = stats.total === 0 ? 0 : stats.failed / stats.total;
        return [
          {
            dedupKey,
            breached: stats.total > 0 && rate >= threshold,
            value: Math.round(rate * 1000) / 1000,
            summary: `${stats.failed} of ${stats.total} runs of ${where} failed in the last ${rule.windowSeconds} s (${Math.round(rate * 100)} %, threshold ${Math.round(threshold * 100)} %)`,
          },
        ];
      }
      case 'no_success': {
        // A rule younger than its window has not watched a whole window yet.
        if (now - rule.createdAt < windowMs) return [];
        const stats = await store.finishedRunStats(scope, now - windowMs);
        return [
          {
            dedupKey,
            breached: stats.succeeded === 0,
            value: stats.succeeded,
            summary: `No successful run of ${where} in the last ${rule.windowSeconds} s`,
          },
        ];
      }
      case 'executors_online': {
        if (rule.scope.kind !== 'app') return [];
        const online = (await store.listLiveExecutors(rule.scope.appId, now - this.deps.executorDeadMs))
          .length;
        return [
          {
            dedupKey,
            breached: online < threshold,
            value: online,
            summary: `${online} executor(s) online, fewer than ${threshold}`,
          },
        ];
      }
      case 'token_budget':
      case 'cost_budget': {
        const usages = await store.runUsageSince(scope, now - windowMs);
        const total = usages.reduce(
          (sum, u) => sum + ((rule.on === 'token_budget' ? u.totalTokens : u.totalPrice) ?? 0),
          0,
        );
        const per = rule.windowSeconds === 3600 ? 'hour' : 'day';
        const what =
          rule.on === 'token_budget'
            ? 'tokens'
            : `cost (${usages.find((u) => u.currency)?.currency ?? 'currency units'})`;
        return [
          {
            dedupKey,
            breached: total >= threshold,
            value: Math.round(total * 10_000) / 10_000,
            summary: `${what} of ${where} in the last ${per}: ${Math.round(total * 100) / 100}, budget ${threshold}`,
          },
        ];
      }
      case 'budget': {
        const level = await this.deps.budgetLevel?.(rule.namespaceId, rule.scope);
        if (!level) return [];
        return BUDGET_LEVELS.map((percent) => ({
          dedupKey: `${dedupKey}:budget${percent}`,
          breached: level.fraction >= percent / 100,
          value: Math.round(level.fraction * 1000) / 10,
          summary: `${percent} % of ${level.summary}`,
        }));
      }
      case 'duration': {
        const runs = await store.runsRunningSince(scope, now - threshold * 1000, 100);
        // Fires once per run; no recovery (the run's end is reported by the run-end rules).
        return runs.map((run) => ({
          dedupKey: `run:${run.id}`,
          breached: true,
          value: Math.round((now - (run.startedAt ?? now)) / 1000),
          summary: `Run ${run.id} has been running for ${Math.round((now - (run.startedAt ?? now)) / 1000)} s (limit ${threshold} s)`,
          taskId: run.taskId,
          runId: run.id,
        }));
      }
      default:
        return [];
    }
  }
}
