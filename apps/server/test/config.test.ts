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
});
