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
});
