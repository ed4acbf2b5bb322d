/**
 * A node's lease of a pool's shared pace (pure): requests granted from the shared bucket up to
 * what is wanted and what it holds, given back when unused, withheld while the tokens are in
 * debt; places of the concurrency as far as other nodes leave them; back-off kept.
 */
import { describe, expect, it } from 'vitest';
import { decidePoolLease, type PoolAsk } from '../../src/pools/pool-lease.js';

const T0 = 1_000_000;
const NONE: PoolAsk = { giveBack: 0, want: 0, charge: 0, backoffUntil: 0, wantSlots: 0, running: 0 };
const pool = (p: { rpm?: number; tpm?: number; concurrency?: number }) => ({
  requestsPerMinute: p.rpm ?? null,
  tokensPerMinute: p.tpm ?? null,
  concurrency: p.concurrency ?? null,
});

describe('a lease of a pool’s shared pace', () => {
  it('grants requests from the shared bucket and says when the next one comes', () => {
    // 120 a minute: a burst of 2, then one every 500 ms.
    const first = decidePoolLease(pool({ rpm: 120 }), undefined, 0, { ...NONE, want: 5 }, T0);
    expect(first).toMatchObject({ granted: 2, readyAt: T0 + 500 });
    expect(first.row).toMatchObject({ requests: 0, refilledAt: T0 });
    // Another node 250 ms later: half a request in the bucket, nothing to grant.
    const other = decidePoolLease(pool({ rpm: 120 }), first.row, 0, { ...NONE, want: 1 }, T0 + 250);
    expect(other).toMatchObject({ granted: 0, readyAt: T0 + 500 });
    // Requests taken and not used go back.
    const back = decidePoolLease(
      pool({ rpm: 120 }),
      other.row,
      0,
      { ...NONE, giveBack: 1, want: 2 },
      T0 + 500,
    );
    expect(back).toMatchObject({ granted: 2, readyAt: null });
  });

  it('withholds requests while the shared tokens are in debt', () => {
    const used = decidePoolLease(
      pool({ rpm: 60, tpm: 600 }),
      undefined,
      0,
      { ...NONE, want: 1, charge: 900 },
      T0,
    );
    // 300 tokens of debt at 10 a second: 30 s.
    expect(used).toMatchObject({ granted: 0, readyAt: T0 + 30_000 });
    expect(used.row.requests).toBe(1);
    expect(used.row.tokens).toBe(-300);
    const paid = decidePoolLease(pool({ rpm: 60, tpm: 600 }), used.row, 0, { ...NONE, want: 1 }, T0 + 30_000);
    expect(paid).toMatchObject({ granted: 1, readyAt: null });
  });

  it('holds the places other nodes leave, never fewer than its running runs, and keeps a back-off', () => {
    const p = pool({ concurrency: 3 });
    expect(decidePoolLease(p, undefined, 2, { ...NONE, wantSlots: 4 }, T0).held).toBe(1);
    expect(decidePoolLease(p, undefined, 3, { ...NONE, wantSlots: 2, running: 2 }, T0).held).toBe(2);
    expect(decidePoolLease(p, undefined, 0, { ...NONE, wantSlots: 0 }, T0).held).toBe(0);
    const backedOff = decidePoolLease(p, undefined, 0, { ...NONE, backoffUntil: T0 + 30_000 }, T0);
    expect(decidePoolLease(p, backedOff.row, 0, NONE, T0 + 1).row.backoffUntil).toBe(T0 + 30_000);
  });
});
