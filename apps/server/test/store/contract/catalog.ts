/**
 * Contract: namespaces, apps, calendars and tasks (ordinary CRUD, uniqueness,
 * deletes refused while in use, pagination newest first).
 */
import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../../src/store/pagination.js';
import { StoreConflictError, type NewApp, type Store } from '../../../src/store/store.js';
import { CRON, runInput, seed, taskInput, type ContractContext } from './context.js';

function appInput(namespaceId: number, appName: string): NewApp {
  return {
    namespaceId,
    appName,
    name: `App ${appName}`,
    description: 'does things',
    maxConcurrency: 5,
    accessTokenHash: `hash-of-${appName}`,
    accessTokenHint: 'wxyz',
  };
}

/** Walks every page of a list and returns the pages' sizes and all items. */
async function allPages<T>(
  list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const sizes: number[] = [];
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor);
    sizes.push(page.items.length);
    items.push(...page.items);
    if (page.nextCursor === null) return { sizes, items };
    cursor = page.nextCursor;
  }
}

export function defineCatalogContract(ctx: ContractContext): void {
  describe('namespaces', () => {
    it('ensureNamespace creates once, even when called concurrently', async () => {
      const store = ctx.store;
      const all = await Promise.all(Array.from({ length: 8 }, () => store.ensureNamespace('team-a')));
      expect(new Set(all.map((ns) => ns.id)).size).toBe(1);
      expect(await store.listNamespaces()).toHaveLength(1);
    });

    it('createNamespace refuses a taken name; get, getByName and list (by name)', async () => {
      const store = ctx.store;
      const b = await store.createNamespace({ name: 'b-team', description: 'the b team' });
      const a = await store.createNamespace({ name: 'a-team', description: null });
      const error = await store
        .createNamespace({ name: 'b-team', description: null })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreConflictError);
      expect((error as StoreConflictError).constraint).toBe('namespaces_name_key');
      expect(await store.getNamespace(b.id)).toEqual(b);
      expect(await store.getNamespaceByName('a-team')).toEqual(a);
      expect(await store.getNamespace(999_999)).toBeUndefined();
      expect((await store.listNamespaces()).map((ns) => ns.name)).toEqual(['a-team', 'b-team']);
    });
  });

  describe('apps', () => {
    it('creates and reads an app; (namespace, appName) is unique', async () => {
      const store = ctx.store;
      const ns = await store.ensureNamespace('default');
      const other = await store.ensureNamespace('other');
      const app = await store.createApp(appInput(ns.id, 'billing'));
      expect(app).toMatchObject({ ...appInput(ns.id, 'billing'), id: expect.any(Number) });
      expect(await store.getApp(app.id)).toEqual(app);
      expect(await store.getAppByName(ns.id, 'billing')).toEqual(app);
      expect(await store.getAppByName(other.id, 'billing')).toBeUndefined();
      await expect(store.createApp(appInput(ns.id, 'billing'))).rejects.toThrow(StoreConflictError);
      await expect(store.createApp(appInput(other.id, 'billing'))).resolves.toMatchObject({
        namespaceId: other.id,
      });
    });

    it('lists apps newest first, page by page, filtered by namespace', async () => {
      const store = ctx.store;
      const ns = await store.ensureNamespace('default');
      const other = await store.ensureNamespace('other');
      for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await store.createApp(appInput(ns.id, name));
      await store.createApp(appInput(other.id, 'b1'));
      const { sizes, items } = await allPages((cursor) =>
        store.listApps({ namespaceId: ns.id }, { cursor, limit: 2 }),
      );
      expect(sizes).toEqual([2, 2, 1]);
      expect(items.map((a) => a.appName)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
      expect((await store.listApps({}, { limit: 10 })).items).toHaveLength(6);
      const exact = await store.listApps({ namespaceId: other.id }, { limit: 1 });
      expect(exact.nextCursor).toBeNull();
      await expect(store.listApps({}, { cursor: 'not-a-cursor', limit: 2 })).rejects.toThrow(
        InvalidCursorError,
      );
    });

    it('updates only the fields given and bumps updatedAt', async () => {
      let clock = 1_000;
      const store = await reopenWithClock(ctx, () => clock);
      const ns = await store.ensureNamespace('default');
      const app = await store.createApp(appInput(ns.id, 'billing'));
      clock = 5_000;
      const updated = await store.updateApp(app.id, { maxConcurrency: null, accessTokenHint: 'zzzz' });
      expect(updated).toEqual({ ...app, maxConcurrency: null, accessTokenHint: 'zzzz', updatedAt: 5_000 });
      expect(app.createdAt).toBe(1_000);
      expect(await store.updateApp(999_999, { name: 'x' })).toBeUndefined();
    });

    it('refuses to delete an app that still has tasks', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const task = await store.createTask(taskInput(seeded));
      const error = await store.deleteApp(seeded.app.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreConflictError);
      expect(await store.getApp(seeded.app.id)).toBeDefined();
      expect(await store.deleteTask(task.id)).toBe(true);
      expect(await store.deleteApp(seeded.app.id)).toBe(true);
      expect(await store.deleteApp(seeded.app.id)).toBe(false);
    });
  });

  describe('calendars', () => {
    it('creates, reads, lists and updates calendars; (namespace, name) is unique', async () => {
      const store = ctx.store;
      const ns = await store.ensureNamespace('default');
      const dates = ['2026-01-01', '2026-05-01', '2026-12-25'];
      const holidays = await store.createCalendar({
        namespaceId: ns.id,
        name: 'holidays',
        timezone: 'Europe/Paris',
        dates,
      });
      const closures = await store.createCalendar({
        namespaceId: ns.id,
        name: 'closures',
        timezone: 'UTC',
        dates: [],
      });
      expect(await store.getCalendar(holidays.id)).toEqual({ ...holidays, dates });
      await expect(
        store.createCalendar({ namespaceId: ns.id, name: 'holidays', timezone: 'UTC', dates: [] }),
      ).rejects.toThrow(StoreConflictError);
      await expect(store.updateCalendar(closures.id, { name: 'holidays' })).rejects.toThrow(
        StoreConflictError,
      );
      const updated = await store.updateCalendar(closures.id, { dates: ['2027-01-01'] });
      expect(updated).toMatchObject({ name: 'closures', timezone: 'UTC', dates: ['2027-01-01'] });
      const page = await store.listCalendars({ namespaceId: ns.id }, { limit: 1 });
      expect(page.items.map((c) => c.name)).toEqual(['closures']);
      const next = await store.listCalendars(
        { namespaceId: ns.id },
        { cursor: page.nextCursor ?? '', limit: 1 },
      );
      expect(next).toEqual({ items: [expect.objectContaining({ name: 'holidays' })], nextCursor: null });
      expect(await store.updateCalendar(999_999, { name: 'x' })).toBeUndefined();
    });

    it("refuses to delete a calendar a task's schedule refers to", async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const calendar = await store.createCalendar({
        namespaceId: seeded.ns.id,
        name: 'h',
        timezone: 'UTC',
        dates: [],
      });
      const schedule = { ...CRON, calendar: { id: calendar.id, mode: 'exclude' as const } };
      const task = await store.createTask(taskInput(seeded, { schedule }));
      await store.createTask(taskInput(seeded, { name: 'no calendar' }));
      expect((await store.listTasksUsingCalendar(calendar.id)).map((t) => t.id)).toEqual([task.id]);
      await expect(store.deleteCalendar(calendar.id)).rejects.toThrow(StoreConflictError);
      await store.updateTask(task.id, { schedule: CRON });
      expect(await store.listTasksUsingCalendar(calendar.id)).toEqual([]);
      expect(await store.deleteCalendar(calendar.id)).toBe(true);
      expect(await store.deleteCalendar(calendar.id)).toBe(false);
    });

    it('refuses a task that refers to a calendar or an app that does not exist', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const schedule = { ...CRON, calendar: { id: 999_999, mode: 'include' as const } };
      await expect(store.createTask(taskInput(seeded, { schedule }))).rejects.toThrow(StoreConflictError);
      const task = await store.createTask(taskInput(seeded));
      await expect(store.updateTask(task.id, { appId: 999_999 })).rejects.toThrow(StoreConflictError);
      expect(await store.countTasks()).toBe(1);
    });
  });

  describe('tasks', () => {
    it('keeps every field, JSON verbatim (key order included)', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const input = taskInput(seeded, {
        description: 'nightly',
        config: { zeta: 1, alpha: { y: [1, 'two', null], b: true }, mid: 'é ünïcode' },
        timeoutSeconds: 1.5,
        concurrency: { max: 3, overlap: 'queue' },
        nextFireAt: 1_700_000_000_123,
        enabled: false,
      });
      const task = await store.createTask(input);
      expect(task).toEqual({
        ...input,
        // No priority, pool or budget given.
        priority: 0,
        poolId: null,
        budget: null,
        id: expect.any(Number),
        createdAt: expect.any(Number),
        updatedAt: task.createdAt,
      });
      const read = await store.getTask(task.id);
      expect(read).toEqual(task);
      expect(JSON.stringify(read?.config)).toBe(JSON.stringify(input.config));
      expect(await store.getTask(999_999)).toBeUndefined();
    });

    it('updates only the fields given', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const task = await store.createTask(taskInput(seeded, { description: 'd', nextFireAt: 5_000 }));
      const renamed = await store.updateTask(task.id, { name: 'renamed' });
      expect(renamed).toEqual({ ...task, name: 'renamed', updatedAt: expect.any(Number) });
      const cleared = await store.updateTask(task.id, {
        description: null,
        nextFireAt: null,
        enabled: false,
      });
      expect(cleared).toMatchObject({ name: 'renamed', description: null, nextFireAt: null, enabled: false });
      expect(await store.updateTask(999_999, { name: 'x' })).toBeUndefined();
    });

    it('lists tasks newest first, filtered by namespace, app and enabled; counts them', async () => {
      const store = ctx.store;
      const a = await seed(store);
      const b = await seed(store, 'other');
      const a1 = await store.createTask(taskInput(a, { name: 'a1' }));
      const a2 = await store.createTask(taskInput(a, { name: 'a2', enabled: false }));
      const a3 = await store.createTask(taskInput(a, { name: 'a3' }));
      const b1 = await store.createTask(taskInput(b, { name: 'b1' }));
      const names = async (filter: Parameters<Store['listTasks']>[0]) =>
        (await store.listTasks(filter, { limit: 50 })).items.map((t) => t.name);
      expect(await names({})).toEqual(['b1', 'a3', 'a2', 'a1']);
      expect(await names({ namespaceId: a.ns.id })).toEqual(['a3', 'a2', 'a1']);
      expect(await names({ appId: b.app.id })).toEqual(['b1']);
      expect(await names({ enabled: false })).toEqual(['a2']);
      expect(await names({ enabled: true, namespaceId: a.ns.id })).toEqual(['a3', 'a1']);
      const { sizes, items } = await allPages((cursor) => store.listTasks({}, { cursor, limit: 3 }));
      expect(sizes).toEqual([3, 1]);
      expect(items.map((t) => t.id)).toEqual([b1.id, a3.id, a2.id, a1.id]);
      expect(await store.countTasks()).toBe(4);
    });

    it('deleting a task deletes its runs and their logs', async () => {
      const store = ctx.store;
      const seeded = await seed(store);
      const task = await store.createTask(taskInput(seeded));
      const keep = await store.createTask(taskInput(seeded, { name: 'keep' }));
      const { run } = await store.insertRun(runInput(task));
      const { run: kept } = await store.insertRun(runInput(keep));
      await store.appendRunLogs([{ runId: run.id, at: 1, stream: 'stdout', text: 'hello' }]);
      expect(await store.deleteTask(task.id)).toBe(true);
      expect(await store.getTask(task.id)).toBeUndefined();
      expect(await store.getRun(run.id)).toBeUndefined();
      expect(await store.listRunLogs(run.id, 0, 10)).toEqual([]);
      expect(await store.getRun(kept.id)).toBeDefined();
      expect(await store.deleteTask(task.id)).toBe(false);
    });
  });
}

/** Closes the test's store and opens another with a fake clock (one writer at a time on SQLite). */
async function reopenWithClock(ctx: ContractContext, now: () => number): Promise<Store> {
  await ctx.store.close();
  return ctx.database.open({ now });
}
