/**
 * Route strategies with XXL-JOB's semantics (reference xxl-job.md §2.4). Each picks one address
 * from the candidate list (sorted for registered executors). Router state (round, LFU, LRU) is
 * in memory per node and per task, and reset every 24 h, as XXL-JOB does: it is a spreading
 * heuristic, not a cluster-wide guarantee. `failover` and `busyover` probe executors, so they
 * take an async probe; `sharding_broadcast` is not a router (every address gets a shard).
 */
import { createHash } from 'node:crypto';

export const ROUTE_STRATEGIES = [
  'first',
  'last',
  'round',
  'random',
  'consistent_hash',
  'least_frequently_used',
  'least_recently_used',
  'failover',
  'busyover',
  'sharding_broadcast',
] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

const COUNTER_RESET = 1_000_000;
const STATE_TTL_MS = 24 * 60 * 60 * 1000;
const VIRTUAL_NODES = 100;

/** XXL-JOB's ring hash: MD5, first four digest bytes little-endian, as an unsigned 32-bit value. */
export function ringHash(key: string): number {
  const digest = createHash('md5').update(key, 'utf8').digest();
  return digest.readUInt32LE(0);
}

/** ConsistentHash: 100 virtual nodes per address, the job's key hashed; ceiling entry, else the first. */
export function consistentHash(jobId: number, addresses: readonly string[]): string | undefined {
  const ring: [number, string][] = [];
  for (const address of addresses) {
    for (let i = 0; i < VIRTUAL_NODES; i++) ring.push([ringHash(`SHARD-${address}-NODE-${i}`), address]);
  }
  if (ring.length === 0) return undefined;
  // A TreeMap keeps the last put for equal keys; sort is stable, so keep the last of equals.
  ring.sort((a, b) => a[0] - b[0]);
  const key = ringHash(String(jobId));
  for (let i = 0; i < ring.length; i++) {
    const [hash] = ring[i]!;
    if (hash >= key) {
      let j = i;
      while (j + 1 < ring.length && ring[j + 1]![0] === hash) j++;
      return ring[j]![1];
    }
  }
  return ring[0]![1];
}

export type Probe = (address: string) => Promise<{ ok: boolean; message: string }>;

/** The in-memory part: round counters and LFU/LRU tables per task, cleared every 24 h. */
export class Router {
  private readonly round = new Map<number, number>();
  private readonly lfu = new Map<number, Map<string, number>>();
  private readonly lru = new Map<number, string[]>();
  private clearAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: (n: number) => number = (n) => Math.floor(Math.random() * n),
  ) {
    this.clearAt = now() + STATE_TTL_MS;
  }

  /** Picks one address, or undefined when there is none. Not for sharding_broadcast. */
  pick(
    strategy: Exclude<RouteStrategy, 'failover' | 'busyover' | 'sharding_broadcast'>,
    jobId: number,
    addresses: readonly string[],
  ): string | undefined {
    if (addresses.length === 0) return undefined;
    this.expire();
    switch (strategy) {
      case 'first':
        return addresses[0];
      case 'last':
        return addresses[addresses.length - 1];
      case 'random':
        return addresses[this.random(addresses.length)];
      case 'round': {
        let count = this.round.get(jobId);
        // The first use starts at random(0..99) so that many jobs do not all start on list[0].
        count = count === undefined || count > COUNTER_RESET ? this.random(100) : count + 1;
        this.round.set(jobId, count);
        return addresses[count % addresses.length];
      }
      case 'consistent_hash':
        return consistentHash(jobId, addresses);
      case 'least_frequently_used':
        return this.leastFrequentlyUsed(jobId, addresses);
      case 'least_recently_used':
        return this.leastRecentlyUsed(jobId, addresses);
    }
  }

  /** failover (probe = /beat) and busyover (probe = /idleBeat): the first address that passes, in order. */
  async probeInOrder(
    addresses: readonly string[],
    probe: Probe,
  ): Promise<{ address: string | undefined; log: string[] }> {
    const log: string[] = [];
    for (const address of addresses) {
      const result = await probe(address);
      log.push(`${address}: ${result.message}`);
      if (result.ok) return { address, log };
    }
    return { address: undefined, log };
  }

  private leastFrequentlyUsed(jobId: number, addresses: readonly string[]): string | undefined {
    let counts = this.lfu.get(jobId);
    if (!counts) this.lfu.set(jobId, (counts = new Map()));
    for (const address of addresses) {
      const count = counts.get(address);
      // New addresses (and runaway counters) start at random(0..size-1), as in XXL-JOB.
      if (count === undefined || count > COUNTER_RESET) counts.set(address, this.random(addresses.length));
    }
    for (const address of [...counts.keys()]) if (!addresses.includes(address)) counts.delete(address);
    let best: string | undefined;
    let bestCount = Infinity;
    for (const [address, count] of counts) {
      if (count < bestCount) {
        best = address;
        bestCount = count;
      }
    }
    if (best !== undefined) counts.set(best, bestCount + 1);
    return best;
  }

  private leastRecentlyUsed(jobId: number, addresses: readonly string[]): string | undefined {
    let order = this.lru.get(jobId);
    if (!order) this.lru.set(jobId, (order = []));
    for (const address of addresses) if (!order.includes(address)) order.push(address);
    const kept = order.filter((address) => addresses.includes(address));
    order.splice(0, order.length, ...kept);
    const eldest = order.shift();
    if (eldest !== undefined) order.push(eldest);
    return eldest;
  }

  private expire(): void {
    const now = this.now();
    if (now < this.clearAt) return;
    this.clearAt = now + STATE_TTL_MS;
    this.round.clear();
    this.lfu.clear();
    this.lru.clear();
  }
}
