/**
 * The cluster's chaos test, short enough for CI: three real server processes on one PostgreSQL
 * schema, tasks every second calling a local receiver, a node killed with SIGKILL and restarted
 * four times, 8 s apart (the kills are counted, not timed: a busy machine restarts nodes slowly). The longer version: `npm run chaos -- --minutes 10` (bench/chaos.js).
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../../bench/chaos.js';
import { postgresReachable, TEST_DATABASE_URL } from '../support/postgres.js';

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)('chaos on a PostgreSQL cluster', () => {
  it('executes no run twice, records every slot, leaves nothing running and takes over within 3 s', async () => {
    const result = await runChaos({
      databaseUrl: TEST_DATABASE_URL,
      durationMs: 45_000,
      nodes: 3,
      tasks: 8,
      kills: 4,
      killEveryMs: 8000,
      downMs: 2000,
    });
    console.info(`chaos: ${JSON.stringify(result)}`);
    expect(result.duplicates).toBe(0);
    expect(result.unidentifiedRequests).toBe(0);
    expect(result.unknownRuns).toBe(0);
    expect(result.succeededUnexecuted).toBe(0);
    expect(result.missedSlots).toBe(0);
    expect(result.leftActive).toBe(0);
    expect(result.exitCodes).toEqual([0, 0, 0]);
    for (const kill of result.kills) {
      expect(kill.takeoverMs).not.toBeNull();
      expect(kill.takeoverMs).toBeLessThanOrEqual(3000);
    }
  }, 180_000);
});
