/**
 * fixed_delay schedules: the next slot is `delaySeconds` after the previous run of the task ends,
 * so it is set when a scheduled run finishes (not planned ahead like cron and fixed_rate).
 */
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';

export function installFixedDelay(deps: { events: EventBus; store: Store; wake: () => void }): () => void {
  const { events, store } = deps;
  return events.on('run:finished', async ({ run, task: snapshot }) => {
    if (run.triggerType !== 'schedule' && run.triggerType !== 'misfire') return;
    if (run.status === 'skipped') return;
    // Most finished runs are not fixed-delay ones: tell without a database read.
    if (snapshot && snapshot.schedule.type !== 'fixed_delay') return;
    const task = await store.getTask(run.taskId);
    if (!task || !task.enabled || task.schedule.type !== 'fixed_delay' || task.nextFireAt !== null) return;
    await store.updateTask(task.id, {
      nextFireAt: (run.finishedAt ?? Date.now()) + task.schedule.delaySeconds * 1000,
    });
    deps.wake();
  });
}
