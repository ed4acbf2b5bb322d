/**
 * The pace of provider pools on a cluster: the nodes hold a pool's limits together, through its
 * shared row (store/cluster-pace-queries.ts, decided by pool-lease.ts). Each node leases, for the
 * runs it has queued, a few requests of the shared bucket and places of the concurrency, and pays
 * the tokens its runs used; then it decides in memory, as a single node does, until the next
 * lease. A lease is one short transaction per pool, taken when a run waits for the pool (at most
 * every MIN_GAP_MS), when what it waits for is due, and every `syncMs` while the node has runs of
 * the pool (places are renewed that way; a dead node's expire after `slotTtlMs`).
 *
 * Why leases and not a row update per start: a start would then wait for a database round trip
 * under the pool's row lock; a lease serves all the runs a node has queued at once, and the
 * requests a node took and did not use go back at its next lease (at most one second's burst).
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { ClusterPaceStore } from '../store/cluster-pace-queries.js';
import type { PoolRecord } from '../store/pacing-queries.js';
import { decidePoolLease } from './pool-lease.js';
import type { Pacer, PaceDecision } from './pool-pacer.js';
import { requestBurst } from './pool-pacer.js';

/** The shortest time between two leases of this node (a run waiting asks for one). */
const MIN_GAP_MS = 50;

export interface SharedPoolPacerDeps {
  store: Pick<ClusterPaceStore, 'leasePoolPace'>;
  clock: Clock;
  nodeId: string;
  /** Runs of this node waiting (queued) for the pool. */
  queued: (poolId: number) => number;
  /** Something a waiting run may need arrived: the queue is looked at again. */
  wake: () => void;
  onError: (error: unknown) => void;
  syncMs?: number;
  slotTtlMs?: number;
}

interface Share {
  pool: PoolRecord;
  /** Requests leased and not used yet. */
  allowance: number;
  /** Places of the concurrency this node holds. */
  held: number;
  /** The shared token level at the last lease (below zero: in debt). */
  tokens: number;
  /** Tokens used here since the last lease. */
  charge: number;
  backoffUntil: number;
  /** A back-off seen here, to pass on. */
  pushBackoff: number;
  running: number;
  /** When what the queued runs wait for will be there (from the last lease). */
  readyAt: number | null;
  /**
   * The last lease left runs wanting (the cluster had no more): the next comes at `readyAt` or
   * within syncMs, not at once, so that blocked runs do not ask the database over and over.
   */
  starved: boolean;
}

export class SharedPoolPacer implements Pacer {
  private readonly shares = new Map<number, Share>();
  private readonly holders = new Map<number, number>();
  private timer: { at: number; handle: TimerHandle } | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private lastSyncAt = -Infinity;
  private stopped = false;
  private readonly syncMs: number;
  private readonly slotTtlMs: number;

  constructor(private readonly deps: SharedPoolPacerDeps) {
    this.syncMs = deps.syncMs ?? 1000;
    this.slotTtlMs = deps.slotTtlMs ?? 10_000;
  }

  tryStart(pool: PoolRecord, runId: number, now: number): PaceDecision {
    const share = this.shareOf(pool);
    if (share.backoffUntil > now) {
      return { ok: false, at: share.backoffUntil, why: 'the provider asked to back off' };
    }
    if (pool.concurrency !== null && share.running >= Math.min(share.held, pool.concurrency)) {
      this.wants(share);
      return {
        ok: false,
        at: null,
        why: `the pool's concurrency ${pool.concurrency} is taken in the cluster`,
      };
    }
    if (pool.tokensPerMinute !== null && share.tokens - share.charge < 0) {
      this.wants(share);
      return { ok: false, at: null, why: `tokensPerMinute ${pool.tokensPerMinute} used` };
    }
    if (pool.requestsPerMinute !== null) {
      if (share.allowance < 1) {
        this.wants(share);
        return { ok: false, at: null, why: `requestsPerMinute ${pool.requestsPerMinute} reached` };
      }
      share.allowance--;
    }
    share.running++;
    this.holders.set(runId, pool.id);
    return { ok: true };
  }

  refund(runId: number): void {
    const share = this.take(runId);
    if (share && share.pool.requestsPerMinute !== null) share.allowance++;
  }

  release(runId: number): void {
    const share = this.take(runId);
    // Its place goes back to the cluster at once (another node may be waiting for it).
    if (share && share.pool.concurrency !== null) this.soon();
  }

  used(poolId: number, tokens: number): void {
    const share = this.shares.get(poolId);
    if (!share || tokens <= 0) return;
    share.charge += tokens;
    this.tick();
  }

  backoff(poolId: number, until: number): void {
    const share = this.shares.get(poolId);
    if (!share) return;
    share.backoffUntil = Math.max(share.backoffUntil, until);
    share.pushBackoff = Math.max(share.pushBackoff, until);
    this.soon();
  }

  state(poolId: number, now: number): { running: number; backoffUntil: number | null } {
    const share = this.shares.get(poolId);
    if (!share) return { running: 0, backoffUntil: null };
    return { running: share.running, backoffUntil: share.backoffUntil > now ? share.backoffUntil : null };
  }

  forget(poolId: number): void {
    this.shares.delete(poolId);
  }

  /** Stops leasing (the node stops); its places expire for the others. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
    await this.syncing;
  }

  /** One lease of every pool this node has work for; resolves when done. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.leaseAll().finally(() => {
      this.syncing = undefined;
      if (this.again) {
        this.again = false;
        this.soon();
      } else this.tick();
    });
    return this.syncing;
  }

  // ---------------------------------------------------------------------------------------

  private take(runId: number): Share | undefined {
    const poolId = this.holders.get(runId);
    if (poolId === undefined) return undefined;
    this.holders.delete(runId);
    const share = this.shares.get(poolId);
    if (share) share.running = Math.max(0, share.running - 1);
    return share;
  }

  private shareOf(pool: PoolRecord): Share {
    let share = this.shares.get(pool.id);
    if (!share) {
      share = {
        pool,
        allowance: 0,
        held: 0,
        tokens: 0,
        charge: 0,
        backoffUntil: 0,
        pushBackoff: 0,
        running: 0,
        readyAt: null,
        starved: false,
      };
      this.shares.set(pool.id, share);
    }
    share.pool = pool;
    return share;
  }

  private active(share: Share): boolean {
    return (
      share.running > 0 ||
      share.held > 0 ||
      share.allowance > 0 ||
      share.charge > 0 ||
      share.pushBackoff > 0 ||
      this.deps.queued(share.pool.id) > 0
    );
  }

  private async leaseAll(): Promise<void> {
    this.lastSyncAt = this.deps.clock.now();
    let woke = false;
    for (const share of [...this.shares.values()]) {
      if (this.stopped) return;
      if (!this.active(share)) continue;
      if (await this.leaseOne(share)) woke = true;
    }
    if (woke) this.deps.wake();
  }

  /** Leases one pool; true when a run queued here may now go. */
  private async leaseOne(share: Share): Promise<boolean> {
    const { pool } = share;
    const now = this.deps.clock.now();
    const queued = this.deps.queued(pool.id);
    const ask = {
      giveBack: share.allowance,
      want: pool.requestsPerMinute === null ? 0 : Math.min(queued, requestBurst(pool.requestsPerMinute)),
      charge: share.charge,
      backoffUntil: share.pushBackoff,
      wantSlots: pool.concurrency === null ? 0 : Math.min(pool.concurrency, share.running + queued),
      running: share.running,
    };
    // What is handed to the lease is no longer this node's to use (given back on failure).
    share.allowance = 0;
    share.charge = 0;
    share.pushBackoff = 0;
    let readyAt: number | null = null;
    let granted = 0;
    try {
      const lease = await this.deps.store.leasePoolPace({
        poolId: pool.id,
        nodeId: this.deps.nodeId,
        now,
        slotTtlMs: this.slotTtlMs,
        decide: (row, othersHeld) => {
          const decision = decidePoolLease(pool, row, othersHeld, { ...ask, running: share.running }, now);
          readyAt = decision.readyAt;
          granted = decision.granted;
          return decision;
        },
      });
      const heldBefore = share.held;
      const tokensBefore = share.tokens;
      share.allowance += pool.requestsPerMinute === null ? 0 : granted;
      share.held = lease.held;
      share.tokens = lease.row.tokens;
      share.backoffUntil = Math.max(share.backoffUntil, lease.row.backoffUntil);
      share.readyAt = readyAt;
      share.starved =
        granted < ask.want ||
        lease.held < ask.wantSlots ||
        (pool.tokensPerMinute !== null && lease.row.tokens < 0);
      const tokensPaid = tokensBefore < 0 && lease.row.tokens >= 0;
      return queued > 0 && (granted > 0 || lease.held > heldBefore || tokensPaid);
    } catch (error) {
      share.allowance += ask.giveBack;
      share.charge += ask.charge;
      share.pushBackoff = Math.max(share.pushBackoff, ask.backoffUntil);
      this.deps.onError(error);
      return false;
    }
  }

  /** A run waits for the pool: a lease at once, unless the last one found nothing more to give. */
  private wants(share: Share): void {
    if (share.starved) this.tick();
    else this.soon();
  }

  /** A lease as soon as allowed. */
  private soon(): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.schedule(Math.max(this.deps.clock.now(), this.lastSyncAt + MIN_GAP_MS));
  }

  /** The next lease: when what a queued run waits for is due, else within syncMs while active. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    let at = Infinity;
    for (const share of this.shares.values()) {
      if (!this.active(share)) continue;
      at = Math.min(at, now + this.syncMs);
      if (share.readyAt !== null && this.deps.queued(share.pool.id) > 0) {
        at = Math.min(at, Math.max(share.readyAt, this.lastSyncAt + MIN_GAP_MS));
      }
    }
    if (at !== Infinity) this.schedule(at);
  }

  private schedule(at: number): void {
    if (this.timer && this.timer.at <= at) return;
    this.timer?.handle.cancel();
    const handle = this.deps.clock.setTimer(
      () => {
        this.timer = undefined;
        void this.sync();
      },
      Math.max(0, at - this.deps.clock.now()),
    );
    this.timer = { at, handle };
  }
}
