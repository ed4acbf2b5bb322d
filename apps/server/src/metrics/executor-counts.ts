/**
 * Executors per app and state for `kairos_executors`, read from the store when Prometheus
 * scrapes: `online` (registered, heartbeat since `liveSince`), `dead` (registered, silent longer)
 * and `removed` (unregistered). One query per scrape, whatever the number of runs.
 */
import type { Store } from '../store/store.js';
import type { LabelNames } from './label-names.js';

export async function executorCounts(
  store: Pick<Store, 'listExecutors'>,
  names: Pick<LabelNames, 'appName'>,
  liveSince: number,
): Promise<{ app: string; state: string; count: number }[]> {
  const counts = new Map<string, { app: string; state: string; count: number }>();
  for (const executor of await store.listExecutors({})) {
    const app = await names.appName(executor.appId);
    const state =
      executor.removedAt !== null ? 'removed' : executor.lastHeartbeatAt >= liveSince ? 'online' : 'dead';
    const key = `${app}\u0000${state}`;
    const entry = counts.get(key) ?? { app, state, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}
