/**
 * The pure parts of pacing: budget periods in a time zone (DST days, months, hours), the token
 * bucket, the pool pacer (tokens per minute in debt, concurrency, back-off) and what a provider's
 * error asks the pool to wait.
 */
import { describe, expect, it } from 'vitest';
import { periodBounds } from '../../src/budgets/budget-period.js';
import { verdictOf } from '../../src/budgets/budget-verdict.js';
import { providerBackoffMs } from '../../src/pacing/pacing-gate.js';
import { PoolPacer } from '../../src/pools/pool-pacer.js';
import { TokenBucket } from '../../src/pools/token-bucket.js';
import type { PoolRecord } from '../../src/store/pacing-queries.js';

const at = (iso: string) => Date.parse(iso);
const bounds = (period: 'hour' | 'day' | 'month', zone: string, iso: string) => {
  const { start, end } = periodBounds(period, zone, at(iso));
  return [new Date(start).toISOString(), new Date(end).toISOString()];
};

describe('budget periods', () => {
  it('are the hour, day or month in the budget’s zone, DST days included', () => {
    expect(bounds('day', 'UTC', '2026-03-10T13:14:15Z')).toEqual([
      '2026-03-10T00:00:00.000Z',
      '2026-03-11T00:00:00.000Z',
    ]);
    // Paris springs forward on 2026-03-29: that day is 23 hours long.
    expect(bounds('day', 'Europe/Paris', '2026-03-29T12:00:00Z')).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    expect(bounds('month', 'Asia/Shanghai', '2026-12-31T20:00:00Z')).toEqual([
      '2026-12-31T16:00:00.000Z',
      '2027-01-31T16:00:00.000Z',
    ]);
    expect(bounds('hour', 'Asia/Kolkata', '2026-05-01T10:10:00Z')).toEqual([
      '2026-05-01T09:30:00.000Z',
      '2026-05-01T10:30:00.000Z',
    ]);
    expect(bounds('hour', 'UTC', '2026-12-31T23:59:59Z')).toEqual([
      '2026-12-31T23:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('a budget is exceeded once any of its limits is reached', () => {
    const budget = {
      tokens: 100,
      cost: 2,
      currency: 'USD',
      period: 'day',
      timezone: 'UTC',
      onExceeded: 'skip',
      stopWhenExceeded: false,
    } as const;
    expect(verdictOf(budget, { tokens: 80, cost: 1 })).toEqual({
      left: { tokens: 20, cost: 1 },
      fraction: 0.8,
      exceeded: false,
    });
    expect(verdictOf(budget, { tokens: 10, cost: 2 }).exceeded).toBe(true);
    expect(verdictOf(budget, { tokens: 120, cost: 0 }).left).toEqual({ tokens: 0, cost: 2 });
  });
});

describe('token bucket and pool pacer', () => {
  it('refills continuously and says when the next token comes', () => {
    const bucket = new TokenBucket(6, 0, 1);
    expect(bucket.take(1, 0)).toEqual({ ok: true });
    expect(bucket.take(1, 0)).toEqual({ ok: false, at: 10_000 });
    expect(bucket.take(1, 9_999).ok).toBe(false);
    expect(bucket.take(1, 10_000)).toEqual({ ok: true });
    bucket.refund(1, 10_000);
    expect(bucket.take(1, 10_000)).toEqual({ ok: true });
  });

  const pool = (over: Partial<PoolRecord> = {}): PoolRecord => ({
    id: 1,
    namespaceId: 1,
    name: 'p',
    description: null,
    requestsPerMinute: null,
    tokensPerMinute: null,
    concurrency: null,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  });

  it('holds runs while the tokens per minute are in debt, until the refill pays it', () => {
    const pacer = new PoolPacer();
    const p = pool({ tokensPerMinute: 600 });
    expect(pacer.tryStart(p, 1, 0).ok).toBe(true);
    pacer.used(1, 900, 0); // 300 tokens of debt: 30 s at 10 tokens a second
    expect(pacer.tryStart(p, 2, 1_000)).toMatchObject({ ok: false, at: 30_000 });
    expect(pacer.tryStart(p, 2, 29_999).ok).toBe(false);
    expect(pacer.tryStart(p, 2, 30_000).ok).toBe(true);
  });

  it('counts running runs against concurrency, gives places back once, and backs off', () => {
    const pacer = new PoolPacer();
    const p = pool({ concurrency: 1, requestsPerMinute: 60 });
    expect(pacer.tryStart(p, 1, 0).ok).toBe(true);
    expect(pacer.tryStart(p, 2, 5_000)).toMatchObject({ ok: false, at: null });
    pacer.release(1);
    pacer.release(1);
    expect(pacer.state(1, 5_000).running).toBe(0);
    pacer.backoff(1, 40_000);
    expect(pacer.tryStart(p, 2, 39_999)).toMatchObject({ ok: false, at: 40_000 });
    expect(pacer.tryStart(p, 2, 40_000).ok).toBe(true);
    // Refused by admission after all: its request is given back.
    pacer.refund(2, 40_000);
    expect(pacer.tryStart(p, 3, 40_000).ok).toBe(true);
  });

  it('reads a provider’s answer: 429 and 503 with their Retry-After, quota errors longer', () => {
    expect(providerBackoffMs({ type: 'dify', message: '', status: 429, retryAfterSeconds: 7 })).toBe(7_000);
    expect(providerBackoffMs({ type: 'dify', message: '', status: 429, code: 'too_many_requests' })).toBe(
      30_000,
    );
    expect(providerBackoffMs({ type: 'dify', message: '', status: 429, code: 'rate_limit_error' })).toBe(
      60_000,
    );
    expect(providerBackoffMs({ type: 'dify', message: '', status: 503, retryAfterSeconds: 86_400 })).toBe(
      900_000,
    );
    expect(providerBackoffMs({ type: 'dify', message: '', status: 500 })).toBeNull();
  });
});
