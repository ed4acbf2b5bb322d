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
