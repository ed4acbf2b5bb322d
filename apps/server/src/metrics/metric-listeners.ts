/**
 * Feeds the metrics from the event bus. Listeners only observe: they keep no state that matters
 * after a crash, and a label name missing from memory is read once (LabelNames), not per run.
 */
import type { EventBus } from '../events.js';
import type { RunRecord } from '../store/store.js';
import type { KairosMetrics } from './kairos-metrics.js';
import type { LabelNames, RunLabels } from './label-names.js';

/** Subscribes the metrics to the bus; returns the unsubscribe functions. */
export function installMetricListeners(
  events: EventBus,
  metrics: KairosMetrics,
  names: LabelNames,
): (() => void)[] {
  /** Observes at once when the names are known, else after reading them (rare: once per id). */
  const withLabels = (run: RunRecord, observe: (labels: RunLabels) => void): void | Promise<void> => {
    const known = names.known(run);
    if (known) return observe(known);
    return names.labels(run).then(observe);
  };

  return [
    events.on('run:finished', ({ run, task }) => {
      if (task) names.rememberTask(task);
      return withLabels(run, (labels) => {
        metrics.runsFinished.inc({ ...labels, status: run.status });
        // Lateness where the target feels it: to the job's first outside effect (effectAt).
        if (run.effectAt !== null) {
          const due = run.slotAt ?? run.scheduledAt;
          metrics.runStartLateness.observe(labels, Math.max(0, run.effectAt - due) / 1000);
        }
        if (run.durationMs !== null && run.startedAt !== null) {
          metrics.runDuration.observe({ ...labels, status: run.status }, run.durationMs / 1000);
        }
        const usage = run.usage;
        if (!usage) return;
        const app = labels.app;
        if (usage.promptTokens) metrics.difyTokens.inc({ app, kind: 'prompt' }, usage.promptTokens);
        if (usage.completionTokens)
          metrics.difyTokens.inc({ app, kind: 'completion' }, usage.completionTokens);
        if (usage.totalTokens) metrics.difyTokens.inc({ app, kind: 'total' }, usage.totalTokens);
        if (usage.totalPrice && usage.totalPrice > 0) {
          metrics.difyCost.inc({ app, currency: usage.currency ?? 'unknown' }, usage.totalPrice);
        }
      });
    }),
    events.on('scheduler:claimed', ({ durationMs }) => metrics.schedulerClaim.observe(durationMs / 1000)),
    events.on('alert:delivery', ({ channel, result }) => metrics.alertDeliveries.inc({ channel, result })),
    events.on('app:changed', ({ appId }) => names.forgetApp(appId)),
    events.on('task:changed', ({ task }) => names.rememberTask(task)),
    events.on('task:deleted', ({ taskId }) => names.forgetTask(taskId)),
  ];
}
