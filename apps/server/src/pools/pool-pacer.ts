/**
 * The pace of each provider pool on this node: a request bucket (requestsPerMinute, one second's
 * worth of burst so that any minute window holds at most the limit plus that second), a token
 * bucket (tokensPerMinute, charged with what each run reported, so a run that used many tokens
 * holds the next ones back), the runs of the pool running here (concurrency) and a back-off
 * instant set by a 429 or quota answer (Retry-After honoured).
 *
 * In memory, for a single process (SQLite); a cluster's nodes pace together through the database
 * (shared-pool-pacer.ts), behind the same `Pacer` interface.
 */
import type { PoolRecord } from '../store/pacing-queries.js';
import { TokenBucket } from './token-bucket.js';

/** Without a Retry-After, a 429 backs the pool off this long; a quota error twice as long. */
export const DEFAULT_BACKOFF_MS = 30_000;
/** A Retry-After longer than this is cut to it (a misconfigured provider must not park work for days). */
export const MAX_BACKOFF_MS = 15 * 60_000;

interface PoolPace {
  requests: TokenBucket | null;
  tokens: TokenBucket | null;
  rpm: number | null;
  tpm: number | null;
  running: number;
  backoffUntil: number;
}

export type PaceDecision = { ok: true } | { ok: false; at: number | null; why: string };

/** What the run gate asks of a pool's pace (see PoolPacer for the meaning of each call). */
export interface Pacer {
  tryStart(pool: PoolRecord, runId: number, now: number): PaceDecision;
  refund(runId: number, now: number): void;
  release(runId: number): void;
  used(poolId: number, tokens: number, now: number): void;
  backoff(poolId: number, until: number): void;
  state(poolId: number, now: number): { running: number; backoffUntil: number | null };
  forget(poolId: number): void;
}

/** A request bucket's burst: one second's worth, at least one request. */
export const requestBurst = (requestsPerMinute: number): number =>
  Math.max(1, Math.ceil(requestsPerMinute / 60));

export class PoolPacer implements Pacer {
  private readonly pools = new Map<number, PoolPace>();
  /** The runs that took a place (start) in a pool, to give it back once. */
  private readonly holders = new Map<number, number>();

  /** May a run of `pool` start now? On yes, it takes its place (give it back with `release`). */
  tryStart(pool: PoolRecord, runId: number, now: number): PaceDecision {
    const pace = this.paceOf(pool, now);
    if (pace.backoffUntil > now) {
      return { ok: false, at: pace.backoffUntil, why: 'the provider asked to back off' };
    }
    if (pool.concurrency !== null && pace.running >= pool.concurrency) {
      // Room comes with a run's end, which wakes the queue.
      return {
        ok: false,
        at: null,
        why: `${pace.running} run(s) of the pool running (concurrency ${pool.concurrency})`,
      };
    }
    if (pace.tokens) {
      const ready = pace.tokens.ready(now);
      if (!ready.ok) return { ok: false, at: ready.at, why: `tokensPerMinute ${pool.tokensPerMinute} used` };
    }
    if (pace.requests) {
      const taken = pace.requests.take(1, now);
      if (!taken.ok)
        return { ok: false, at: taken.at, why: `requestsPerMinute ${pool.requestsPerMinute} reached` };
    }
    pace.running++;
    this.holders.set(runId, pool.id);
    return { ok: true };
  }

  /** The run took its place but did not start (admission refused it): its request is given back. */
  refund(runId: number, now: number): void {
    const poolId = this.holders.get(runId);
    if (poolId === undefined) return;
    this.holders.delete(runId);
    const pace = this.pools.get(poolId);
    if (!pace) return;
    pace.running = Math.max(0, pace.running - 1);
    pace.requests?.refund(1, now);
  }

  /** The run ended (or left this node): its place is free. */
  release(runId: number): void {
    const poolId = this.holders.get(runId);
    if (poolId === undefined) return;
    this.holders.delete(runId);
    const pace = this.pools.get(poolId);
    if (pace) pace.running = Math.max(0, pace.running - 1);
  }

  /** Tokens a run of the pool used: the token bucket pays them. */
  used(poolId: number, tokens: number, now: number): void {
    if (tokens > 0) this.pools.get(poolId)?.tokens?.charge(tokens, now);
  }

  /** The provider said 429 or quota: no run of the pool starts before `until`. */
  backoff(poolId: number, until: number): void {
    const pace = this.pools.get(poolId);
    if (pace) pace.backoffUntil = Math.max(pace.backoffUntil, until);
  }

  state(poolId: number, now: number): { running: number; backoffUntil: number | null } {
    const pace = this.pools.get(poolId);
    if (!pace) return { running: 0, backoffUntil: null };
    return { running: pace.running, backoffUntil: pace.backoffUntil > now ? pace.backoffUntil : null };
  }

  /** The pool was deleted: forget its pace. */
  forget(poolId: number): void {
    this.pools.delete(poolId);
  }

  private paceOf(pool: PoolRecord, now: number): PoolPace {
    let pace = this.pools.get(pool.id);
    if (!pace) {
      pace = { requests: null, tokens: null, rpm: null, tpm: null, running: 0, backoffUntil: 0 };
      this.pools.set(pool.id, pace);
    }
    // Limits changed (or first sight): rebuild the buckets, keeping their levels.
    if (pace.rpm !== pool.requestsPerMinute) {
      const rpm = pool.requestsPerMinute;
      const burst = rpm === null ? 0 : requestBurst(rpm);
      if (rpm === null) pace.requests = null;
      else if (pace.requests) pace.requests.setRate(rpm, now, burst);
      else pace.requests = new TokenBucket(rpm, now, burst);
      pace.rpm = rpm;
    }
    if (pace.tpm !== pool.tokensPerMinute) {
      const tpm = pool.tokensPerMinute;
      if (tpm === null) pace.tokens = null;
      else if (pace.tokens) pace.tokens.setRate(tpm, now);
      else pace.tokens = new TokenBucket(tpm, now);
      pace.tpm = tpm;
    }
    return pace;
  }
}
