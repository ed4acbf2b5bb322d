import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../src/runtime/expiring-cache.js';

describe('ExpiringCache', () => {
  it('loads a key once for callers that miss together, and again once it expired', async () => {
    let now = 0;
    const cache = new ExpiringCache<string, number>(1000, () => now);
    let loads = 0;
    const load = async (): Promise<number> => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return loads;
    };
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.get('app', load)));
    expect(loads).toBe(1);
    expect(new Set(values)).toEqual(new Set([1]));
    expect(cache.peek('app')).toBe(1);
    now = 999;
    expect(await cache.get('app', load)).toBe(1);
    now = 1000;
    expect(cache.peek('app')).toBeUndefined();
    expect(await cache.get('app', load)).toBe(2);
  });

  it('keeps no failed load, and no load that a delete() overtook', async () => {
    const cache = new ExpiringCache<string, string>(1000, () => 0);
    await expect(cache.get('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', () => Promise.resolve('fresh'))).toBe('fresh');

    cache.delete('k');
    let release!: (value: string) => void;
    const stale = cache.get('k', () => new Promise<string>((r) => (release = r)));
    cache.delete('k'); // e.g. an executor registered while the list was being read
    release('stale');
    expect(await stale).toBe('stale');
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', () => Promise.resolve('after'))).toBe('after');
  });
});
