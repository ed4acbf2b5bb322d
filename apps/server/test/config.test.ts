import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('takes the PostgreSQL pool size from the flag over the environment, 20 by default', () => {
    expect(loadConfig([], {}).databasePoolSize).toBe(20);
    expect(loadConfig([], { KAIROS_DATABASE_POOL_SIZE: '40' }).databasePoolSize).toBe(40);
    expect(
      loadConfig(['--database-pool-size', '5'], { KAIROS_DATABASE_POOL_SIZE: '40' }).databasePoolSize,
    ).toBe(5);
  });

  it('refuses a pool size that is not a whole number from 1 to 1000, naming the setting', () => {
    for (const bad of ['0', '-3', '2.5', 'many', '100000']) {
      expect(() => loadConfig([`--database-pool-size=${bad}`], {})).toThrow(ConfigError);
      expect(() => loadConfig([`--database-pool-size=${bad}`], {})).toThrow(
        /databasePoolSize \(--database-pool-size \/ KAIROS_DATABASE_POOL_SIZE\)/,
      );
    }
  });

  it('reads outbound CIDR lists comma-separated and refuses a bad range, naming the setting', () => {
    expect(loadConfig([], {}).outboundDeny).toEqual([]);
    expect(loadConfig([], { KAIROS_OUTBOUND_DENY: '127.0.0.0/8, ::1/128,10.0.0.0/8' }).outboundDeny).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.0/8',
    ]);
    expect(loadConfig(['--outbound-allow', '169.254.10.5'], {}).outboundAllow).toEqual(['169.254.10.5']);
    expect(() => loadConfig([], { KAIROS_OUTBOUND_DENY: '10.0.0.0/33' })).toThrow(
      /outboundDeny \(--outbound-deny \/ KAIROS_OUTBOUND_DENY\): 10\.0\.0\.0\/33: the prefix length must be 0 to 32/,
    );
  });

  it('refuses a request timeout shorter than the headers timeout', () => {
    expect(loadConfig([], {})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(() => loadConfig(['--headers-timeout-ms', '5000', '--request-timeout-ms', '1000'], {})).toThrow(
      /requestTimeoutMs .*must be at least headersTimeoutMs/,
    );
  });

  it("takes the heap's growth in percent, 50 by default, 0 for V8's own, and refuses anything else", () => {
    expect(loadConfig([], {}).heapGrowthPercent).toBe(50);
    expect(loadConfig([], { KAIROS_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(
      loadConfig(['--heap-growth-percent', '50'], { KAIROS_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent,
    ).toBe(50);
    for (const bad of ['-1', '12.5', 'lots', '1001']) {
      expect(() => loadConfig([`--heap-growth-percent=${bad}`], {})).toThrow(
        /heapGrowthPercent \(--heap-growth-percent \/ KAIROS_HEAP_GROWTH_PERCENT\)/,
      );
    }
  });

  it("takes SQLite's page cache in MiB, 64 by default, and refuses a size below 1", () => {
    expect(loadConfig([], {}).sqliteCacheMb).toBe(64);
    expect(loadConfig([], { KAIROS_SQLITE_CACHE_MB: '8' }).sqliteCacheMb).toBe(8);
    expect(() => loadConfig(['--sqlite-cache-mb', '0'], {})).toThrow(
      /sqliteCacheMb \(--sqlite-cache-mb \/ KAIROS_SQLITE_CACHE_MB\)/,
    );
  });
});
