/**
 * TEMPORARY (issue 15): writes the alerts of a run's end from a `run:finished` listener, in a
 * transaction of its own AFTER the settlement committed. A crash between the two loses those
 * alerts; the house rule is that a reaction which must survive a crash is not a listener.
 *
 * The settlement transaction (being rewritten) must take this over and this file must go: inside
 * it, with the run's final record, call
 *   const rules = ruleCache.matching(run) ?? await ruleCache.rulesFor(run)   // before the tx
 *   const previous = await previousRunStatuses(tx, run.taskId, run.id, consecutiveFailuresDepth(rules))
 *   const alerts = alertsForSettledRun(run, task, rules, now, { willRetry, previousStatuses: previous })
 *   await insertAlerts(tx, alerts)
 * then wake the delivery worker after commit (deliveries.wake()).
 */
import type { Clock } from '../clock.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import type { AlertRuleCache } from './alert-rule-cache.js';
import { alertsForSettledRun, consecutiveFailuresDepth } from './settled-run-alerts.js';

const FAILED = new Set(['failed', 'timed_out', 'lost']);

export function installSettledRunAlerts(deps: {
  events: EventBus;
  store: Pick<Store, 'getTask' | 'recordAlerts' | 'previousRunStatuses'>;
  rules: AlertRuleCache;
  clock: Clock;
  /** Called when alerts were written (wakes the delivery worker). */
  onWritten: () => void;
  /** Lets runs due now go first (EventLoopShare.whenClear). */
  share?: { whenClear(): Promise<void> } | undefined;
}): () => void {
  return deps.events.on('run:finished', async ({ run, retryable, task }) => {
    const rules = deps.rules.matching(run) ?? (await deps.rules.rulesFor(run));
    if (rules.length === 0) return;
    const snapshot = task ?? (await deps.store.getTask(run.taskId));
    if (!snapshot) return;
    // The same decision as runs/retries.ts makes.
    const willRetry = retryable && FAILED.has(run.status) && run.attempt < snapshot.retry.maxAttempts;
    const depth = consecutiveFailuresDepth(rules);
    const previousStatuses = depth > 0 ? await deps.store.previousRunStatuses(run.taskId, run.id, depth) : [];
    const alerts = alertsForSettledRun(run, snapshot, rules, deps.clock.now(), {
      willRetry,
      previousStatuses,
    });
    if (alerts.length === 0) return;
    await deps.share?.whenClear();
    const written = await deps.store.recordAlerts(alerts);
    if (written.deliveries > 0) deps.onWritten();
  });
}
