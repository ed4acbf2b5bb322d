/**
 * Route strategies with XXL-JOB's semantics (reference §2.4), driven with a fixed random source.
 */
import { describe, expect, it } from 'vitest';
import { Router, consistentHash, ringHash } from '../../src/job-types/executor/route-strategies.js';
import { refuseExecutorAddress } from '../../src/job-types/executor/executor-address.js';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.js';
import { normaliseExecutorAddress, parseReply } from '../../src/job-types/executor/xxl-protocol.js';

const list = ['http://a:1', 'http://b:1', 'http://c:1'];

describe('route strategies', () => {
  it('first and last', () => {
    const router = new Router(
      () => 0,
      () => 0,
    );
    expect(router.pick('first', 1, list)).toBe('http://a:1');
    expect(router.pick('last', 1, list)).toBe('http://c:1');
    expect(router.pick('first', 1, [])).toBeUndefined();
  });

  it('round starts at random(0..99) per job and then goes round', () => {
    const router = new Router(
      () => 0,
      (n) => (n === 100 ? 4 : 0),
    );
    expect([1, 2, 3, 4].map(() => router.pick('round', 7, list))).toEqual([
      'http://b:1',
      'http://c:1',
      'http://a:1',
      'http://b:1',
    ]);
    // Another job has its own counter.
    expect(router.pick('round', 8, list)).toBe('http://b:1');
  });

  it('random picks by the random source', () => {
    const router = new Router(
      () => 0,
      (n) => n - 1,
    );
    expect(router.pick('random', 1, list)).toBe('http://c:1');
  });

  it('consistent hash: XXL-JOB’s MD5 ring, stable per job, moves few jobs when an executor goes', () => {
    // The first four MD5 bytes little-endian: MD5("1") = c4ca4238…
    expect(ringHash('1')).toBe(0x3842cac4);
    const picks = Array.from({ length: 200 }, (_, job) => consistentHash(job, list));
    expect(Array.from({ length: 200 }, (_, job) => consistentHash(job, list))).toEqual(picks);
    expect(new Set(picks).size).toBe(3);
    const without = Array.from({ length: 200 }, (_, job) =>
      consistentHash(job, ['http://a:1', 'http://b:1']),
    );
    const moved = picks.filter((p, i) => p !== 'http://c:1' && p !== without[i]).length;
    expect(moved).toBe(0);
  });

  it('least frequently used picks the smallest count and counts it', () => {
    const router = new Router(
      () => 0,
      () => 0,
    );
    const picks = Array.from({ length: 6 }, () => router.pick('least_frequently_used', 1, list));
    expect(picks.filter((p) => p === 'http://a:1')).toHaveLength(2);
    expect(new Set(picks).size).toBe(3);
  });

  it('least recently used cycles through the eldest, adding new and dropping gone addresses', () => {
    const router = new Router(
      () => 0,
      () => 0,
    );
    expect([1, 2, 3, 4].map(() => router.pick('least_recently_used', 1, list))).toEqual([
      'http://a:1',
      'http://b:1',
      'http://c:1',
      'http://a:1',
    ]);
    // b is gone, d is new (appended): the order is c, a, d.
    const next = ['http://a:1', 'http://c:1', 'http://d:1'];
    expect([1, 2, 3].map(() => router.pick('least_recently_used', 1, next))).toEqual([
      'http://c:1',
      'http://a:1',
      'http://d:1',
    ]);
  });

  it('failover / busyover probe in order and pick the first that passes', async () => {
    const router = new Router();
    const probed: string[] = [];
    const result = await router.probeInOrder(list, async (address) => {
      probed.push(address);
      return address === 'http://b:1' ? { ok: true, message: 'ok' } : { ok: false, message: 'down' };
    });
    expect(result).toEqual({ address: 'http://b:1', log: ['http://a:1: down', 'http://b:1: ok'] });
    expect(probed).toEqual(['http://a:1', 'http://b:1']);
  });

  it('state is cleared every 24 h', () => {
    let now = 0;
    const router = new Router(
      () => now,
      (n) => (n === 100 ? 0 : 0),
    );
    expect(router.pick('round', 1, list)).toBe('http://a:1');
    expect(router.pick('round', 1, list)).toBe('http://b:1');
    now = 24 * 60 * 60 * 1000;
    expect(router.pick('round', 1, list)).toBe('http://a:1');
  });
});

describe('executor addresses and replies', () => {
  it('normalises addresses as the executor matches URIs exactly', () => {
    expect(normaliseExecutorAddress('http://10.0.0.1:9999/')).toBe('http://10.0.0.1:9999');
    expect(normaliseExecutorAddress('10.0.0.1:8081/job')).toBe('http://10.0.0.1:8081/job');
  });

  it('refuses link-local, metadata and non-http addresses', () => {
    const guard = new OutboundPolicy().server;
    expect(refuseExecutorAddress('http://10.0.0.1:9999/', guard)).toBeUndefined();
    expect(refuseExecutorAddress('https://exec.example.com', guard)).toBeUndefined();
    expect(refuseExecutorAddress('http://169.254.169.254/', guard)).toMatch(/outbound destination policy/);
    expect(refuseExecutorAddress('http://[fe80::1]/', guard)).toMatch(/fe80::1/);
    expect(refuseExecutorAddress('http://[::ffff:169.254.1.1]/', guard)).toMatch(/169\.254\.1\.1/);
    expect(refuseExecutorAddress('http://100.100.100.200/', guard)).toMatch(/100\.100\.100\.200/);
    expect(refuseExecutorAddress('http://metadata.google.internal/', guard)).toMatch(/metadata/);
    expect(refuseExecutorAddress('gopher://x/', guard)).toMatch(/http or https/);
    expect(refuseExecutorAddress('http://x/?a=1', guard)).toMatch(/query/);
  });

  it('reads both envelopes and refuses garbage', () => {
    expect(parseReply('{"code":200,"content":{"a":1}}', 'u')).toEqual({
      code: 200,
      msg: null,
      content: { a: 1 },
    });
    expect(parseReply('{"code":200,"msg":"Success","data":{"a":2}}', 'u')).toEqual({
      code: 200,
      msg: 'Success',
      content: { a: 2 },
    });
    expect(() => parseReply('<html>', 'u')).toThrow(/not JSON/);
    expect(() => parseReply('{"status":"ok"}', 'u')).toThrow(/without a numeric "code"/);
  });
});
