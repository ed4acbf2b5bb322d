/**
 * A token bucket driven by an injected time (epoch ms), so that a test's manual clock drives it.
 * Libraries were considered: `limiter` and `bottleneck` read Date.now and own their timers and
 * queue, which would put a second clock and a second queue (without our priorities and durable
 * statuses) beside the run engine's; the bucket itself is this small.
 *
 * `capacity` tokens at most; refilled continuously at `perMinute / 60,000` per ms. `charge` may take
 * the bucket below zero (tokens a run reported after it started): nothing more is taken until the
 * refill has paid the debt.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    private perMinute: number,
    now: number,
    /** Default: a minute's worth (a provider's per-minute limit allows its whole minute at once). */
    private capacity = perMinute,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** A bucket at `level` as of `at` (a level kept elsewhere, such as a cluster's shared row). */
  static restore(perMinute: number, capacity: number, level: number, at: number): TokenBucket {
    const bucket = new TokenBucket(perMinute, at, capacity);
    bucket.level = Math.min(capacity, level);
    return bucket;
  }

  /** New limits keep the current level (cut to the new capacity). */
  setRate(perMinute: number, now: number, capacity = perMinute): void {
    this.refill(now);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.level = Math.min(this.level, capacity);
  }

  /** Takes `n` when the bucket holds them; otherwise takes nothing and says when it will. */
  take(n: number, now: number): { ok: true } | { ok: false; at: number } {
    this.refill(now);
    if (this.level >= n) {
      this.level -= n;
      return { ok: true };
    }
    return { ok: false, at: now + this.msUntil(n) };
  }

  /** Whether the bucket is out of debt (its level is zero or more), or when it will be. */
  ready(now: number): { ok: true } | { ok: false; at: number } {
    this.refill(now);
    return this.level >= 0 ? { ok: true } : { ok: false, at: now + this.msUntil(0) };
  }

  /** Takes `n` unconditionally (the level may go below zero). */
  charge(n: number, now: number): void {
    this.refill(now);
    this.level -= n;
  }

  /** Gives back `n` taken for something that did not happen (up to the capacity). */
  refund(n: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + n);
  }

  levelAt(now: number): number {
    this.refill(now);
    return this.level;
  }

  private msUntil(n: number): number {
    return Math.max(1, Math.ceil(((n - this.level) * 60_000) / this.perMinute));
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + ((now - this.updatedAt) * this.perMinute) / 60_000);
    }
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
