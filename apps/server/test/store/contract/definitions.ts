/**
 * Contract: applyDefinitions stores one apply's apps, addresses, calendars, tasks, contact groups
 * and alert rules all at once (new tasks referring to apps and calendars created by the same
 * write, new rules to new groups), and a statement failing in the middle leaves nothing of it, on
 * both dialects.
 */
import { describe, expect, it } from 'vitest';
import { noDefinitionWrites } from '../../../src/store/definition-writes.js';
import type { NewApp } from '../../../src/store/store.js';
import { CRON, seed, taskInput, type ContractContext } from './context.js';

const newApp = (namespaceId: number, appName: string): NewApp => ({
  namespaceId,
  appName,
  name: appName,
  description: null,
  maxConcurrency: null,
  accessTokenHash: `hash-${appName}`,
  accessTokenHint: 'abcd',
});

export function defineDefinitionsContract(ctx: ContractContext): void {
  describe('applyDefinitions', () => {
    it('creates, changes and deletes in one write; new tasks use the new app and calendar', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const old = await store.createTask(taskInput(seeded, { name: 'old' }));
      const kept = await store.createTask(taskInput(seeded, { name: 'kept' }));
      const writes = noDefinitionWrites();
      writes.createApps.push(newApp(seeded.ns.id, 'billing'));
      writes.setAddresses.push({ app: { created: 0 }, addresses: ['http://10.0.0.5:9999'] });
      writes.createCalendars.push({
        namespaceId: seeded.ns.id,
        name: 'holidays',
        timezone: 'UTC',
        dates: ['2026-10-01'],
      });
      writes.createTasks.push({
        task: taskInput(seeded, {
          name: 'nightly',
          schedule: { ...CRON, calendar: { id: 0, mode: 'exclude' } },
        }),
        refs: { app: { created: 0 }, calendar: { created: 0 } },
      });
      writes.updateTasks.push({ id: kept.id, patch: { description: 'changed' }, refs: {} });
      const contact = await store.createContact({
        namespaceId: seeded.ns.id,
        name: 'ops',
        email: 'ops@example.com',
        phone: null,
        webhook: null,
      });
      writes.createRules.push({
        rule: {
          namespaceId: seeded.ns.id,
          name: 'nightly fails',
          scope: { kind: 'task', taskId: 0 },
          on: 'failure',
          threshold: null,
          windowSeconds: null,
          notify: { contacts: [contact.id], groups: [] },
          silenceSeconds: 300,
          mutedUntil: null,
          enabled: true,
          templates: null,
        },
        refs: { task: { created: 0 } },
      });
      writes.deleteTasks.push(old.id);

      const ids = await store.applyDefinitions(writes);

      const app = await store.getApp(ids.apps[0]!);
      const calendar = await store.getCalendar(ids.calendars[0]!);
      const task = await store.getTask(ids.tasks[0]!);
      expect(app?.appName).toBe('billing');
      expect(await store.getAppExecutorAddresses(app!.id)).toEqual(['http://10.0.0.5:9999']);
      expect(calendar?.name).toBe('holidays');
      expect(task?.appId).toBe(app!.id);
      expect(task?.schedule.calendar).toEqual({ id: calendar!.id, mode: 'exclude' });
      expect((await store.listTasksUsingCalendar(calendar!.id)).map((t) => t.id)).toEqual([task!.id]);
      expect((await store.getTask(kept.id))?.description).toBe('changed');
      expect(await store.getTask(old.id)).toBeUndefined();
      expect((await store.getAlertRule(ids.rules[0]!))?.scope).toEqual({ kind: 'task', taskId: task!.id });
    });

    it('creates, changes and deletes contact groups; a new rule names a group of the same write', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const contact = (name: string) =>
        store.createContact({
          namespaceId: seeded.ns.id,
          name,
          email: `${name}@example.com`,
          phone: null,
          webhook: null,
        });
      const [ann, bob] = [await contact('ann'), await contact('bob')];
      const changed = await store.createContactGroup({
        namespaceId: seeded.ns.id,
        name: 'day',
        contactIds: [ann.id],
      });
      const doomed = await store.createContactGroup({
        namespaceId: seeded.ns.id,
        name: 'gone',
        contactIds: [bob.id],
      });
      const writes = noDefinitionWrites();
      writes.createGroups.push({ namespaceId: seeded.ns.id, name: 'night', contactIds: [bob.id, ann.id] });
      writes.updateGroups.push({ id: changed.id, patch: { contactIds: [bob.id] } });
      writes.deleteGroups.push(doomed.id);
      writes.createRules.push({
        rule: {
          namespaceId: seeded.ns.id,
          name: 'night watch',
          scope: { kind: 'namespace' },
          on: 'failure',
          threshold: null,
          windowSeconds: null,
          notify: { contacts: [], groups: [0, 0] },
          silenceSeconds: 300,
          mutedUntil: null,
          enabled: true,
          templates: null,
        },
        refs: { groups: [{ created: 0 }, { id: changed.id }] },
      });

      const ids = await store.applyDefinitions(writes);

      expect((await store.getContactGroup(ids.groups[0]!))?.contactIds).toEqual([bob.id, ann.id]);
      expect((await store.getContactGroup(changed.id))?.contactIds).toEqual([bob.id]);
      expect(await store.getContactGroup(doomed.id)).toBeUndefined();
      expect((await store.getAlertRule(ids.rules[0]!))?.notify.groups).toEqual([ids.groups[0], changed.id]);
    });

    it('a new task names as children tasks created after it by the same write', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const kept = await store.createTask(taskInput(seeded, { name: 'kept' }));
      const writes = noDefinitionWrites();
      writes.createTasks.push(
        {
          task: taskInput(seeded, { name: 'parent' }),
          refs: { children: [{ created: 1 }, { id: kept.id }] },
        },
        { task: taskInput(seeded, { name: 'child' }), refs: {} },
      );
      writes.updateTasks.push({ id: kept.id, patch: {}, refs: { children: [{ created: 1 }] } });

      const ids = await store.applyDefinitions(writes);

      expect((await store.getTask(ids.tasks[0]!))?.childTaskIds).toEqual([ids.tasks[1], kept.id]);
      expect((await store.getTask(kept.id))?.childTaskIds).toEqual([ids.tasks[1]]);
    });

    it('a statement failing in the middle leaves nothing of the write', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const doomed = await store.createTask(taskInput(seeded, { name: 'doomed' }));
      await store.createCalendar({ namespaceId: seeded.ns.id, name: 'taken', timezone: 'UTC', dates: [] });
      const writes = noDefinitionWrites();
      writes.createApps.push(newApp(seeded.ns.id, 'billing'));
      writes.updateApps.push({ id: seeded.app.id, patch: { name: 'renamed' } });
      writes.setAddresses.push({ app: { id: seeded.app.id }, addresses: ['http://10.0.0.6:9999'] });
      // The second calendar's name is taken: the write fails after the app and the first calendar.
      writes.createCalendars.push(
        { namespaceId: seeded.ns.id, name: 'fresh', timezone: 'UTC', dates: [] },
        { namespaceId: seeded.ns.id, name: 'taken', timezone: 'UTC', dates: [] },
      );
      writes.createTasks.push({ task: taskInput(seeded, { name: 'never' }), refs: {} });
      writes.deleteTasks.push(doomed.id);

      await expect(store.applyDefinitions(writes)).rejects.toThrow();

      const apps = await store.listApps({ namespaceId: seeded.ns.id }, { limit: 50 });
      expect(apps.items.map((a) => a.appName)).toEqual([seeded.app.appName]);
      expect(apps.items[0]?.name).toBe(seeded.app.name);
      expect(await store.getAppExecutorAddresses(seeded.app.id)).toBeNull();
      const calendars = await store.listCalendars({ namespaceId: seeded.ns.id }, { limit: 50 });
      expect(calendars.items.map((c) => c.name)).toEqual(['taken']);
      const tasks = await store.listTasks({ namespaceId: seeded.ns.id }, { limit: 50 });
      expect(tasks.items.map((t) => t.name)).toEqual(['doomed']);
      expect(await store.getTask(doomed.id)).toEqual(doomed);
    });
  });
}
