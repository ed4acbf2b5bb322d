/**
 * Applies an import plan through the public API, as any client would, idempotently: apps are
 * found by appName, tasks by the `[xxl-job:<id>]` mark in their description, contacts by email,
 * alert rules by name. What exists and matches is left alone, so a second run changes nothing.
 * With `dryRun`, everything is read and compared, nothing is written.
 */
import { KairosApiError } from '@kairos/protocol';
import type { App, KairosClient, List, Task } from '@kairos/protocol';
import { MARKER_PATTERN } from './xxl-mapping.js';
import type { ImportPlan, NotMapped, TaskSpec } from './xxl-mapping.js';

export type Change = 'create' | 'update' | 'unchanged';

export interface ImportReport {
  dryRun: boolean;
  apps: { appName: string; change: Change; accessToken?: string; addresses: string[] | null }[];
  tasks: { jobId: number; name: string; change: Change; taskId?: number; changed?: string[] }[];
  contacts: { email: string; change: Change; contactId?: number }[];
  alertRules: { jobId: number; name: string; change: Change }[];
  notMapped: NotMapped[];
}

async function all<T>(page: (cursor: string | undefined) => Promise<List<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The fields of `spec` that differ from the stored task (only what the import sets). */
function changedFields(spec: TaskSpec, task: Task): string[] {
  const want = spec.body;
  const changed: string[] = [];
  if (want.name !== task.name) changed.push('name');
  if (want.description !== task.description) changed.push('description');
  if (want.app !== task.appName) changed.push('app');
  if (Object.entries(want.config ?? {}).some(([k, v]) => !same(v, task.config[k]))) changed.push('config');
  const schedule = want.schedule as Record<string, unknown>;
  const stored = task.schedule as Record<string, unknown>;
  const scheduleKeys = ['type', 'expression', 'intervalSeconds', 'timezone'];
  const misfire = typeof schedule.misfire === 'string' ? schedule.misfire : 'skip';
  if (
    scheduleKeys.some((k) => !same(schedule[k], stored[k])) ||
    (schedule.type !== 'api' && misfire !== task.schedule.misfire.policy)
  )
    changed.push('schedule');
  if ((want.timeoutSeconds ?? null) !== task.timeoutSeconds) changed.push('timeoutSeconds');
  if (want.retry?.maxAttempts !== task.retry.maxAttempts) changed.push('retry');
  if (want.enabled !== task.enabled) changed.push('enabled');
  return changed;
}

const failure = (error: unknown): string =>
  error instanceof KairosApiError
    ? `${error.message} (${error.code}${error.field ? `, field ${error.field}` : ''})`
    : (error as Error).message;

export async function applyXxlImport(
  client: KairosClient,
  plan: ImportPlan,
  options: { namespace?: string | undefined; dryRun: boolean },
): Promise<ImportReport> {
  const { namespace, dryRun } = options;
  const report: ImportReport = {
    dryRun,
    apps: [],
    tasks: [],
    contacts: [],
    alertRules: [],
    notMapped: [...plan.notMapped],
  };

  // Apps, with their manual address lists.
  const apps = new Map<string, App>(
    (await all((cursor) => client.apps.list({ namespace, cursor, limit: 500 }))).map((a) => [a.appName, a]),
  );
  for (const spec of plan.apps) {
    let app = apps.get(spec.appName);
    let change: Change = 'unchanged';
    let accessToken: string | undefined;
    if (!app) {
      change = 'create';
      if (!dryRun) {
        app = await client.apps.create({ namespace, appName: spec.appName, name: spec.name.slice(0, 200) });
        accessToken = app.accessToken;
        apps.set(spec.appName, app);
      }
    }
    const current = app ? (await client.executors.addresses(app.id)).addresses : null;
    if (!same(current, spec.addresses)) {
      if (change === 'unchanged') change = 'update';
      if (!dryRun && app) await client.executors.setAddresses(app.id, spec.addresses);
    }
    report.apps.push({
      appName: spec.appName,
      change,
      addresses: spec.addresses,
      ...(accessToken ? { accessToken } : {}),
    });
  }

  // Tasks: found again by the mark in their description.
  const byJob = new Map<number, Task>();
  for (const task of await all((cursor) => client.tasks.list({ namespace, cursor, limit: 500 }))) {
    const mark = MARKER_PATTERN.exec(task.description ?? '');
    if (mark) byJob.set(Number(mark[1]), task);
  }
  const taskIds = new Map<number, number>();
  for (const spec of plan.tasks) {
    const existing = byJob.get(spec.jobId);
    try {
      if (!existing) {
        const created = dryRun ? undefined : await client.tasks.create({ namespace, ...spec.body });
        if (created) taskIds.set(spec.jobId, created.id);
        report.tasks.push({
          jobId: spec.jobId,
          name: spec.body.name,
          change: 'create',
          ...(created ? { taskId: created.id } : {}),
        });
        continue;
      }
      taskIds.set(spec.jobId, existing.id);
      const changed = changedFields(spec, existing);
      if (changed.length > 0 && !dryRun) {
        const { schedule, ...rest } = spec.body;
        await client.tasks.update(existing.id, { ...rest, schedule: { ...schedule, calendar: null } });
      }
      report.tasks.push({
        jobId: spec.jobId,
        name: spec.body.name,
        taskId: existing.id,
        change: changed.length > 0 ? 'update' : 'unchanged',
        ...(changed.length > 0 ? { changed } : {}),
      });
    } catch (error) {
      // A job Kairos refuses (an expression it does not accept…) is reported; the rest goes on.
      report.notMapped.push({
        what: `job #${spec.jobId} "${spec.body.name}"`,
        reason: `Kairos refused it: ${failure(error)}; not imported`,
      });
    }
  }

  // Alarm emails: one contact per address, one failure rule per job.
  const contacts = new Map(
    (await all((cursor) => client.contacts.list({ namespace, cursor, limit: 500 })))
      .filter((c) => c.email)
      .map((c) => [c.email!.toLowerCase(), c]),
  );
  const rules = new Map(
    (await all((cursor) => client.alertRules.list({ namespace, cursor, limit: 500 }))).map((r) => [
      r.name,
      r,
    ]),
  );
  const emails = [
    ...new Set(plan.tasks.filter((t) => taskIds.has(t.jobId) || dryRun).flatMap((t) => t.alarmEmails)),
  ];
  for (const email of emails) {
    const existing = contacts.get(email.toLowerCase());
    if (existing) {
      report.contacts.push({ email, change: 'unchanged', contactId: existing.id });
      continue;
    }
    try {
      const created = dryRun ? undefined : await client.contacts.create({ namespace, name: email, email });
      if (created) contacts.set(email.toLowerCase(), created);
      report.contacts.push({ email, change: 'create', ...(created ? { contactId: created.id } : {}) });
    } catch (error) {
      report.notMapped.push({
        what: `alarm email ${email}`,
        reason: `Kairos refused it as a contact: ${failure(error)}`,
      });
    }
  }
  for (const spec of plan.tasks) {
    if (spec.alarmEmails.length === 0) continue;
    const name = `xxl-job #${spec.jobId} failure`;
    const taskId = taskIds.get(spec.jobId);
    const contactIds = spec.alarmEmails
      .map((e) => contacts.get(e.toLowerCase())?.id)
      .filter((id) => id !== undefined);
    const existing = rules.get(name);
    if (existing) {
      const changed = !same([...existing.notify.contacts].sort(), [...contactIds].sort());
      if (changed && !dryRun)
        await client.alertRules.update(existing.id, { notify: { contacts: contactIds } });
      report.alertRules.push({ jobId: spec.jobId, name, change: changed ? 'update' : 'unchanged' });
      continue;
    }
    if (taskId === undefined && !dryRun) continue; // The task was refused: no rule for it.
    if (!dryRun && taskId !== undefined) {
      await client.alertRules.create({
        namespace,
        name,
        scope: { taskId },
        on: 'failure',
        notify: { contacts: contactIds },
      });
    }
    report.alertRules.push({ jobId: spec.jobId, name, change: 'create' });
  }
  return report;
}
