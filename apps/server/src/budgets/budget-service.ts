/**
 * Budgets as the API shows them: each budget of a namespace (its own, its apps', its tasks'),
 * with what it used in its current period, what is left and when it resets; and a namespace's
 * budget set or removed (a task's and an app's are fields of the task and the app).
 */
import type { Budget, BudgetState } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { Namespaces } from '../services/namespaces.js';
import type { AlertRuleScope } from '../store/alert-records.js';
import type { BudgetedScope } from '../store/pacing-queries.js';
import type { Store } from '../store/store.js';
import type { BudgetUsage } from './budget-usage.js';
import { ADJECTIVE, verdictOf } from './budget-verdict.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface BudgetServiceDeps {
  store: Store;
  namespaces: Namespaces;
  usage: BudgetUsage;
  /** A namespace's budget changed on this node: cached copies are dropped. */
  changed: (namespaceId: number) => void;
}

export class BudgetService {
  constructor(private readonly deps: BudgetServiceDeps) {}

  async list(
    namespace: string | undefined,
    filter: { taskId?: number | undefined; appId?: number | undefined } = {},
  ): Promise<BudgetState[]> {
    const ns = await this.deps.namespaces.resolve(namespace);
    const scopes = (await this.deps.store.listBudgetedScopes(ns.id)).filter((s) => {
      if (filter.taskId !== undefined) return s.scope.kind === 'task' && s.scope.taskId === filter.taskId;
      if (filter.appId !== undefined) return s.scope.kind === 'app' && s.scope.appId === filter.appId;
      return true;
    });
    return Promise.all(scopes.map((s) => this.stateOf(s, ns.name)));
  }

  async setNamespaceBudget(namespace: string, budget: Budget | null): Promise<BudgetState | null> {
    const ns = await this.deps.namespaces.resolve(namespace, 'name');
    await this.deps.store.setNamespaceBudget(ns.id, budget);
    this.deps.changed(ns.id);
    if (budget === null) return null;
    const [state] = await this.list(ns.name, {});
    if (!state) throw new KairosError('INTERNAL', 'the budget was saved but could not be read back');
    return state;
  }

  /**
   * Where the budget of an alert rule's scope stands (the `budget` alert rule), or undefined when
   * the task, app or namespace has none.
   */
  async level(
    namespaceId: number,
    scope: AlertRuleScope,
  ): Promise<{ fraction: number; summary: string } | undefined> {
    const found = await this.budgetedScopeOf(namespaceId, scope);
    if (!found) return undefined;
    const state = await this.stateOf(found, '');
    const parts: string[] = [];
    if (state.budget.tokens !== undefined)
      parts.push(`${state.used.tokens} of ${state.budget.tokens} tokens`);
    if (state.budget.cost !== undefined)
      parts.push(`${state.used.cost} of ${state.budget.cost} ${state.budget.currency ?? ''}`.trim());
    return {
      fraction: state.fraction,
      summary: `the ${ADJECTIVE[state.budget.period]} budget of ${scope.kind} ${found.name} used (${parts.join(', ')}); it resets at ${state.resetsAt}`,
    };
  }

  private async budgetedScopeOf(
    namespaceId: number,
    scope: AlertRuleScope,
  ): Promise<BudgetedScope | undefined> {
    const { store } = this.deps;
    if (scope.kind === 'task') {
      const task = await store.getTask(scope.taskId);
      return task?.budget
        ? { scope: { kind: 'task', taskId: task.id }, namespaceId, name: task.name, budget: task.budget }
        : undefined;
    }
    if (scope.kind === 'app') {
      const app = await store.getApp(scope.appId);
      return app?.budget
        ? { scope: { kind: 'app', appId: app.id }, namespaceId, name: app.appName, budget: app.budget }
        : undefined;
    }
    const ns = await store.getNamespace(namespaceId);
    return ns?.budget
      ? { scope: { kind: 'namespace', namespaceId }, namespaceId, name: ns.name, budget: ns.budget }
      : undefined;
  }

  private async stateOf(s: BudgetedScope, namespace: string): Promise<BudgetState> {
    await this.deps.usage.load(s.scope, s.budget);
    const used = this.deps.usage.peek(s.scope, s.budget) ?? { tokens: 0, cost: 0 };
    const period = this.deps.usage.period(s.scope)!;
    const verdict = verdictOf(s.budget, used);
    const id =
      s.scope.kind === 'task' ? s.scope.taskId : s.scope.kind === 'app' ? s.scope.appId : s.scope.namespaceId;
    return {
      scope: { kind: s.scope.kind, id, name: s.name },
      namespace,
      budget: s.budget,
      periodStart: iso(period.start),
      resetsAt: iso(period.end),
      used: { tokens: used.tokens, cost: Math.round(used.cost * 1e7) / 1e7 },
      left: verdict.left,
      fraction: Math.round(verdict.fraction * 10_000) / 10_000,
      exceeded: verdict.exceeded,
    };
  }
}
