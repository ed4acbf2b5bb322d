/**
 * A small read-through cache whose entries expire after `ttlMs`, loading each key once at a
 * time: callers that miss while a load is in flight share it. (Under load, hundreds of runs of
 * the same app miss together; without this each one read the store, and on PostgreSQL those
 * reads queued for connections ahead of the statements that finish runs.)
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The value if it is cached and fresh. */
  peek(key: K): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && this.now() - entry.at < this.ttlMs ? entry.value : undefined;
  }

  /** The fresh cached value, the load in flight, or a new load (not cached if it fails). */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.now() - entry.at < this.ttlMs) return Promise.resolve(entry.value);
    const inFlight = this.loading.get(key);
    if (inFlight !== undefined) return inFlight;
    const at = this.now();
    const loaded = load().then(
      (value) => {
        // A delete() during the load dropped it: its value may predate the change.
        if (this.loading.get(key) === loaded) this.entries.set(key, { at, value });
        this.loading.delete(key);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }
}
