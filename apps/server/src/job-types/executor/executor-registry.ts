/**
 * The registry of executors: registrations and heartbeats (XXL-JOB executors every 30 s, pull
 * executors with every poll), the live list per app (heartbeat within the dead timeout, 90 s by
 * default, sorted by address as XXL-JOB sorts it), and an app's manual address list, which
 * replaces the registered executors for routing when set (XXL-JOB's address_type = 1).
 *
 * Unlike XXL-JOB, a registration is routable at once (no 30 s refresh of address_list) and a
 * registryRemove takes the executor out of routing at once (#2422, #3452).
 */
import type { Clock } from '../../clock.js';
import type { ExecutorMode, ExecutorProtocol, ExecutorRecord } from '../../store/executor-records.js';
import type { Store } from '../../store/store.js';
import { normaliseExecutorAddress } from './xxl-protocol.js';
import { ExpiringCache } from '../../runtime/expiring-cache.js';

/** How long a live list is reused on the dispatch hot path; local changes invalidate it at once. */
const LIVE_CACHE_MS = 1000;

export interface ExecutorTarget {
  address: string;
  mode: ExecutorMode;
  protocol: ExecutorProtocol;
}

export interface ExecutorRegistryOptions {
  store: Store;
  clock: Clock;
  /** An executor without a heartbeat for this long is dead. */
  deadMs: number;
}

export class ExecutorRegistry {
  private readonly cache: ExpiringCache<number, ExecutorTarget[]>;

  constructor(private readonly options: ExecutorRegistryOptions) {
    this.cache = new ExpiringCache(LIVE_CACHE_MS, () => options.clock.now());
  }

  get deadMs(): number {
    return this.options.deadMs;
  }

  async register(
    appId: number,
    address: string,
    mode: ExecutorMode,
    protocol: ExecutorProtocol,
    sealedToken: string | null = null,
  ): Promise<ExecutorRecord> {
    const record = await this.options.store.upsertExecutor({
      appId,
      address: mode === 'push' ? normaliseExecutorAddress(address) : address,
      mode,
      protocol,
      at: this.options.clock.now(),
      sealedToken,
    });
    // A new executor must be routable at once; a heartbeat of a known one changes nothing.
    if (!this.cache.peek(appId)?.some((t) => t.address === record.address)) this.cache.delete(appId);
    return record;
  }

  async remove(appId: number, address: string, mode: ExecutorMode): Promise<boolean> {
    this.cache.delete(appId);
    const key = mode === 'push' ? normaliseExecutorAddress(address) : address;
    return this.options.store.removeExecutor(appId, key, this.options.clock.now());
  }

  /** Where an app's tasks may go: its manual list if it has one, else its live executors. */
  targets(appId: number): Promise<ExecutorTarget[]> {
    return this.cache.get(appId, async () => {
      const manual = await this.options.store.getAppExecutorAddresses(appId);
      if (manual !== null) return manual.map((address) => ({ address, mode: 'push', protocol: 'xxl' }));
      const since = this.options.clock.now() - this.options.deadMs;
      const live = await this.options.store.listLiveExecutors(appId, since);
      return live.map((e) => ({ address: e.address, mode: e.mode, protocol: e.protocol }));
    });
  }

  invalidate(appId: number): void {
    this.cache.delete(appId);
  }

  /** Executors with their status as the API shows it. */
  async list(
    appIds: number[] | undefined,
  ): Promise<(ExecutorRecord & { status: 'live' | 'dead' | 'removed' })[]> {
    const now = this.options.clock.now();
    const records = await this.options.store.listExecutors({ appIds });
    return records.map((r) => ({
      ...r,
      status:
        r.removedAt !== null ? 'removed' : now - r.lastHeartbeatAt > this.options.deadMs ? 'dead' : 'live',
    }));
  }
}
