/**
 * Failed authentication, rate-limited per client: a token bucket per client address
 * that only failures drain. A client that keeps sending wrong tokens or passwords gets 429 with
 * Retry-After instead of an answer to each guess; a client whose credentials work is not slowed.
 *
 * Written here rather than taken from @fastify/rate-limit: that plugin counts every request of
 * a route, while what must be limited is failures, decided after the credentials are checked.
 * The state is per node and in memory (a client spread over N nodes gets N buckets), which is
 * enough to stop a flood; nothing of it needs to survive a restart.
 */
import type { Clock } from '../clock.js';

export interface FailedAuthLimits {
  /** Failures a client may make in a burst. */
  burst: number;
  /** Failures per second it regains. */
  perSecond: number;
  /** Clients remembered at most (the fullest buckets are forgotten first: they lose nothing). */
  maxClients: number;
}

export const DEFAULT_FAILED_AUTH_LIMITS: FailedAuthLimits = { burst: 20, perSecond: 1, maxClients: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

export class FailedAuthLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: FailedAuthLimits = DEFAULT_FAILED_AUTH_LIMITS,
  ) {}

  /** Seconds the client must wait before its next attempt counts; 0 when it may try now. */
  retryAfter(client: string): number {
    const bucket = this.refilled(client);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limits.perSecond));
  }

  /** Records one failure of the client. */
  failed(client: string): void {
    const bucket = this.refilled(client) ?? { tokens: this.limits.burst, at: this.clock.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > this.limits.maxClients) this.forgetOne();
  }

  private refilled(client: string): Bucket | undefined {
    const bucket = this.buckets.get(client);
    if (bucket === undefined) return undefined;
    const now = this.clock.now();
    bucket.tokens = Math.min(
      this.limits.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limits.perSecond,
    );
    bucket.at = now;
    if (bucket.tokens >= this.limits.burst) {
      this.buckets.delete(client);
      return undefined;
    }
    return bucket;
  }

  /** The least recently failing client goes (a Map iterates in insertion order). */
  private forgetOne(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
