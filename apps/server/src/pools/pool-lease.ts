/**
 * One node's lease of a pool's shared pace (pure; the store calls it under the pool row's lock):
 * the node gives back the requests it took and did not use, pays the tokens its runs used, passes
 * on a provider's back-off, takes up to what its queued runs want from the request bucket, and
 * holds the places of the pool's concurrency its runs need, as far as other nodes leave them.
 *
 * The buckets are the same as a single node's (token-bucket.ts, one second's burst for requests,
 * a minute's worth of tokens), kept in the row instead of memory, so a cluster holds the same
 * limits as one process.
 */
import type { PoolPaceRow } from '../store/cluster-pace-queries.js';
import type { PoolRecord } from '../store/pacing-queries.js';
import { requestBurst } from './pool-pacer.js';
import { TokenBucket } from './token-bucket.js';

export interface PoolAsk {
  /** Requests this node took at its last lease and did not use. */
  giveBack: number;
  /** Requests wanted now (runs of the pool queued here). */
  want: number;
  /** Tokens this node's runs of the pool used since its last lease. */
  charge: number;
  /** A provider's back-off seen here (0: none). */
  backoffUntil: number;
  /** Places wanted: runs of the pool running here and queued here. */
  wantSlots: number;
  /** Runs of the pool running here: never fewer places than these. */
  running: number;
}

export interface PoolLeaseDecision {
  row: PoolPaceRow;
  /** Requests this node may start until its next lease. */
  granted: number;
  /** Places of the concurrency this node holds. */
  held: number;
  /** When what was wanted and not granted will be there (requests refilled, token debt paid); null: nothing awaited. */
  readyAt: number | null;
}

export function decidePoolLease(
  pool: Pick<PoolRecord, 'requestsPerMinute' | 'tokensPerMinute' | 'concurrency'>,
  before: PoolPaceRow | undefined,
  othersHeld: number,
  ask: PoolAsk,
  now: number,
): PoolLeaseDecision {
  const rpm = pool.requestsPerMinute;
  const tpm = pool.tokensPerMinute;
  const burst = rpm === null ? 0 : requestBurst(rpm);
  const at = before ? Math.min(before.refilledAt, now) : now;
  let readyAt: number | null = null;

  let granted = 0;
  let requests = 0;
  if (rpm !== null) {
    const bucket = TokenBucket.restore(rpm, burst, before ? before.requests : burst, at);
    bucket.refund(ask.giveBack, now);
    granted = Math.max(0, Math.min(ask.want, Math.floor(bucket.levelAt(now))));
    if (granted > 0) bucket.take(granted, now);
    if (granted < ask.want) {
      const next = bucket.take(1, now);
      if (next.ok) bucket.refund(1, now);
      else readyAt = next.at;
    }
    requests = bucket.levelAt(now);
  } else {
    granted = ask.want;
  }

  let tokens = 0;
  if (tpm !== null) {
    const bucket = TokenBucket.restore(tpm, tpm, before ? before.tokens : tpm, at);
    bucket.charge(ask.charge, now);
    const ready = bucket.ready(now);
    if (!ready.ok && ask.want > 0) {
      // In debt: nothing starts (the requests go back to the bucket) until the refill pays it.
      readyAt = Math.max(readyAt ?? 0, ready.at);
      if (rpm !== null) requests = Math.min(burst, requests + granted);
      granted = 0;
    }
    tokens = bucket.levelAt(now);
  }

  let held = 0;
  if (pool.concurrency !== null) {
    const free = Math.max(0, pool.concurrency - othersHeld);
    held = Math.max(ask.running, Math.min(ask.wantSlots, free));
  }

  const backoffUntil = Math.max(before?.backoffUntil ?? 0, ask.backoffUntil);
  return { row: { requests, tokens, refilledAt: now, backoffUntil }, granted, held, readyAt };
}
