/** Turning what a user types into what the API filters on. */
import type { KairosClient } from '@kairos/protocol';
import { CliError } from './args.js';

/**
 * `--app` takes an id or an appName; list filters take the id, so a name is looked up (one GET,
 * whose APP_NOT_FOUND is the message the user should see).
 */
export async function resolveAppId(
  client: KairosClient,
  app: string | undefined,
): Promise<number | undefined> {
  if (app === undefined) return undefined;
  if (/^\d+$/.test(app)) return Number(app);
  return (await client.apps.get(app)).id;
}

/**
 * The names of the tasks a page of runs belongs to, for lists a person reads: one GET per
 * distinct task (a page has few); a task deleted since is left out and shown by its id.
 */
export async function taskNamesOf(client: KairosClient, taskIds: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(taskIds)];
  const tasks = await Promise.all(unique.map((id) => client.tasks.get(id).catch(() => undefined)));
  return new Map(tasks.filter((t) => t !== undefined).map((t) => [t.id, t.name]));
}

/**
 * A schedule may name its calendar (`calendar: {name: cn-holidays}`), as people write files;
 * the API takes its id. Replaces the name with the id of that calendar of `namespace`, or throws
 * naming the field when there is none. Documents without a named calendar pass unchanged.
 */
export async function resolveCalendarName(
  client: KairosClient,
  doc: Record<string, unknown>,
  namespace: () => Promise<string | undefined>,
): Promise<Record<string, unknown>> {
  const schedule = doc.schedule as Record<string, unknown> | undefined;
  const calendar = schedule?.calendar as Record<string, unknown> | undefined | null;
  if (!calendar || typeof calendar.name !== 'string' || calendar.id !== undefined) return doc;
  const ns = await namespace();
  const wanted = calendar.name;
  let cursor: string | undefined;
  do {
    const page = await client.calendars.list({ namespace: ns, cursor, limit: 500 });
    const found = page.items.find((c) => c.name === wanted);
    if (found) {
      const { name: _name, ...rest } = calendar;
      return { ...doc, schedule: { ...schedule, calendar: { ...rest, id: found.id } } };
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliError(
    'CALENDAR_NOT_FOUND',
    `schedule.calendar.name: no calendar named "${wanted}" in namespace ${ns ?? 'default'} (kairos calendars list)`,
    'schedule.calendar.name',
  );
}
