/**
 * Apps' maxConcurrency, cached for the admission hot path (which must not wait on the database).
 * Entries are refreshed in the background after a short time-to-live, so a change made on any
 * node applies within seconds.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';

const TTL_MS = 5000;

export class AppLimits {
  private readonly cache = new Map<number, { max: number | null; fetchedAt: number }>();
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The cached limit (null: none, or not known yet); starts a refresh when stale. */
  get(appId: number): number | null {
    const entry = this.cache.get(appId);
    if (!entry || this.clock.now() - entry.fetchedAt > TTL_MS) void this.prefetch(appId);
    return entry?.max ?? null;
  }

  prefetch(appId: number): Promise<void> {
    const entry = this.cache.get(appId);
    if (entry && this.clock.now() - entry.fetchedAt <= TTL_MS) return Promise.resolve();
    let pending = this.inflight.get(appId);
    if (!pending) {
      pending = this.store
        .getApp(appId)
        .then(
          (app) =>
            void this.cache.set(appId, { max: app?.maxConcurrency ?? null, fetchedAt: this.clock.now() }),
        )
        .catch(() => undefined)
        .finally(() => this.inflight.delete(appId));
      this.inflight.set(appId, pending);
    }
    return pending;
  }

  /** Forgets an app's limit after it changed on this node. */
  invalidate(appId: number): void {
    this.cache.delete(appId);
  }
}
