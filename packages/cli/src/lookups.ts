/** Turning what a user types into what the API filters on. */
import type { KairosClient } from '@kairos/protocol';

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
