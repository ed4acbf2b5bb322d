/**
 * Failed authentication is rate-limited per client: a flood of wrong tokens gets 429 with
 * Retry-After after a small burst, the audit log keeps the failures that were answered, and
 * a client whose token works keeps working.
 */
import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../src/access/failed-auth-limiter.js';
import { ManualClock } from '../../src/clock.js';
import { startTestNode } from '../support/test-node.js';
import { callAs } from './access-fixtures.js';

const START = Date.parse('2030-01-01T00:00:00Z');

describe('failed authentication', () => {
  it('3,000 wrong-token requests: 20 answered 401, the rest 429 with Retry-After; a good token still works', async () => {
    const clock = new ManualClock(START);
    const node = await startTestNode({ clock });
    expect((await node.api('GET', '/api/v1/tasks')).status).toBe(200);
    const statuses = new Map<number, number>();
    const retryAfter = new Set<string | null>();
    for (let batch = 0; batch < 60; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => callAs(node, `wrong-${batch}-${i}`, 'GET', '/api/v1/tasks')),
      );
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 429) {
          retryAfter.add(a.headers.get('retry-after'));
          expect(a.body.error.code).toBe('RATE_LIMITED');
        }
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 20, 429: 2980 });
    expect([...retryAfter]).toEqual(['1']);
    // The token this client used before the flood is still good.
    expect((await node.api('GET', '/api/v1/tasks')).status).toBe(200);
    const failed = await node.api('GET', '/api/v1/audit?action=auth.failed&limit=500');
    expect(failed.body.items).toHaveLength(20);
    expect(failed.body.items[0]).toMatchObject({
      actor: null,
      client: '127.0.0.1',
      after: { reason: 'invalid token' },
    });
    // A second later the client may try once more.
    clock.advance(1000);
    expect((await callAs(node, 'wrong-again', 'GET', '/api/v1/tasks')).status).toBe(401);
    expect((await callAs(node, 'wrong-again', 'GET', '/api/v1/tasks')).status).toBe(429);
  });

  it('regains a failure per second up to its burst, and forgets the oldest client beyond its memory', () => {
    const clock = new ManualClock(START);
    const limiter = new FailedAuthLimiter(clock, { burst: 3, perSecond: 0.5, maxClients: 2 });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a')).toBe(0);
      limiter.failed('a');
    }
    expect(limiter.retryAfter('a')).toBe(2);
    clock.advance(2000);
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.failed('a');
    expect(limiter.retryAfter('a')).toBe(2);
    limiter.failed('b');
    limiter.failed('c');
    // 'a' was forgotten: it starts again with its whole burst.
    expect(limiter.retryAfter('a')).toBe(0);
  });
});
