/**
 * The enabled alert rules, in memory, so that a run's settlement finds its rules without a query.
 * Reloaded when older than `maxAgeMs` (rules changed on another node are seen within that time)
 * and at once when this node changes one (`invalidate`).
 */
import type { Clock } from '../clock.js';
import type { AlertRuleRecord } from '../store/alert-records.js';
import type { Store } from '../store/store.js';
import { ruleApplies } from './settled-run-alerts.js';

interface Loaded {
  at: number;
  byTask: Map<number, AlertRuleRecord[]>;
  byApp: Map<number, AlertRuleRecord[]>;
  byNamespace: Map<number, AlertRuleRecord[]>;
  all: AlertRuleRecord[];
}

function push<K>(map: Map<K, AlertRuleRecord[]>, key: K, rule: AlertRuleRecord): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}

export class AlertRuleCache {
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;
  /** Counts invalidations: a read begun before one is not taken as fresh. */
  #generation = 0;

  constructor(
    private readonly store: Pick<Store, 'listEnabledAlertRules'>,
    private readonly clock: Clock,
    private readonly maxAgeMs = 5000,
  ) {}

  /**
   * The rules that apply to a run now, from memory; undefined when the cache is empty or stale
   * (call `load()` first). Synchronous, for a pure settlement.
   */
  matching(run: { taskId: number; appId: number; namespaceId: number }): AlertRuleRecord[] | undefined {
    const loaded = this.#loaded;
    const now = this.clock.now();
    if (!loaded || now - loaded.at > this.maxAgeMs) return undefined;
    return [
      ...(loaded.byTask.get(run.taskId) ?? []),
      ...(loaded.byApp.get(run.appId) ?? []),
      ...(loaded.byNamespace.get(run.namespaceId) ?? []),
    ].filter((rule) => ruleApplies(rule, run, now));
  }

  /**
   * The rules that applied to a run as last read, whatever their age ([] before the first read):
   * for a decision made inside a transaction, after `refresh()`.
   */
  known(run: { taskId: number; appId: number; namespaceId: number }): AlertRuleRecord[] {
    const loaded = this.#loaded;
    if (!loaded) return [];
    const now = this.clock.now();
    return [
      ...(loaded.byTask.get(run.taskId) ?? []),
      ...(loaded.byApp.get(run.appId) ?? []),
      ...(loaded.byNamespace.get(run.namespaceId) ?? []),
    ].filter((rule) => ruleApplies(rule, run, now));
  }

  /** Reads the rules again if the memory is empty or stale. */
  async refresh(): Promise<void> {
    await this.all();
  }

  /** The rules that apply to a run now, reading the store when the cache is empty or stale. */
  async rulesFor(run: { taskId: number; appId: number; namespaceId: number }): Promise<AlertRuleRecord[]> {
    const known = this.matching(run);
    if (known) return known;
    await this.load();
    return this.known(run);
  }

  /** Every enabled rule (the threshold evaluator's input). */
  async all(): Promise<AlertRuleRecord[]> {
    const loaded = this.#loaded;
    if (loaded && this.clock.now() - loaded.at <= this.maxAgeMs) return loaded.all;
    return (await this.load()).all;
  }

  load(): Promise<Loaded> {
    if (!this.#loading) {
      const loading = this.#read().finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
    }
    return this.#loading;
  }

  async #read(): Promise<Loaded> {
    const generation = this.#generation;
    const at = this.clock.now();
    const all = await this.store.listEnabledAlertRules();
    const loaded: Loaded = { at, byTask: new Map(), byApp: new Map(), byNamespace: new Map(), all };
    for (const rule of all) {
      if (rule.scope.kind === 'task') push(loaded.byTask, rule.scope.taskId, rule);
      else if (rule.scope.kind === 'app') push(loaded.byApp, rule.scope.appId, rule);
      else push(loaded.byNamespace, rule.namespaceId, rule);
    }
    // A rule changed while we read: what we read may predate it, so it is not taken as fresh.
    this.#loaded = generation === this.#generation ? loaded : { ...loaded, at: Number.NEGATIVE_INFINITY };
    return loaded;
  }

  /** A rule changed: the next lookup reads them again (`known` keeps answering meanwhile). */
  invalidate(): void {
    this.#generation += 1;
    this.#loading = undefined;
    if (this.#loaded) this.#loaded = { ...this.#loaded, at: Number.NEGATIVE_INFINITY };
  }
}
