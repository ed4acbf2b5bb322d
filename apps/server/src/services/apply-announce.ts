/**
 * What follows an apply stored in its transaction: each service told of the changes it did not
 * make itself (the engine drops a rescheduled task's planned slots and forgets a deleted one's,
 * calendars replan the tasks using them, the rule cache and the executor registry reload), and
 * the changes announced to the other nodes through the events these services emit.
 */
import type { DefinitionIds } from '../store/definition-writes.js';
import type { ApplyServiceDeps, PreparedApply } from './apply-service.js';

export async function announceApplied(
  deps: ApplyServiceDeps,
  prepared: PreparedApply,
  ids: DefinitionIds,
): Promise<void> {
  const { writes, rescheduled } = prepared;
  const { store, apps, calendars, tasks } = deps;
  for (const [i, app] of writes.createApps.entries())
    apps.changed({ id: ids.apps[i]!, appName: app.appName });
  for (const { id } of writes.updateApps) {
    const app = await store.getApp(id);
    if (app) apps.changed(app);
  }
  for (const { app } of writes.setAddresses)
    deps.addressesChanged?.('id' in app ? app.id : ids.apps[app.created]!);
  for (const { id } of writes.updateCalendars)
    await calendars.changedElsewhere(id, await store.getCalendar(id));
  for (const id of ids.tasks) {
    const task = await store.getTask(id);
    if (task) await tasks.changedElsewhere(task, false);
  }
  for (const { id } of writes.updateTasks) {
    const task = await store.getTask(id);
    if (task) await tasks.changedElsewhere(task, rescheduled.has(id));
  }
  for (const id of ids.workflows) {
    const driverTaskId = (await store.getWorkflow(id))?.driverTaskId;
    const driver = driverTaskId == null ? undefined : await store.getTask(driverTaskId);
    if (driver) await tasks.changedElsewhere(driver, false);
  }
  for (const id of prepared.workflowDrivers.changed) {
    const driver = await store.getTask(id);
    if (driver) await tasks.changedElsewhere(driver, rescheduled.has(id));
  }
  const rules = [
    ...ids.rules,
    ...writes.updateRules.map((r) => r.id),
    ...writes.deleteRules,
    ...prepared.cascadedRules,
  ];
  for (const id of rules) deps.alerts?.ruleChangedElsewhere(id);
  for (const id of [...writes.deleteTasks, ...prepared.workflowDrivers.deleted]) tasks.deletedElsewhere(id);
  for (const id of writes.deleteCalendars) await calendars.changedElsewhere(id, undefined);
  for (const id of writes.deleteApps) apps.changed({ id, appName: prepared.deletedApps.get(id) ?? '' });
}
