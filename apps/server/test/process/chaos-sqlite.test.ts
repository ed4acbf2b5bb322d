/**
 * The SQLite half of the chaos test: one node killed with SIGKILL while an http run's
 * request is in flight, restarted on the same file, several times; no run may be executed twice.
 * It holds because a run's start is committed before its request leaves (runs/admission.ts):
 * with the start written behind, it found a run executed twice in about one kill in four.
 */
import { describe, expect, it } from 'vitest';
import { runSqliteChaos } from '../../../../bench/chaos.js';

describe('chaos on one SQLite node', () => {
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
