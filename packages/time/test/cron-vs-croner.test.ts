/**
 * A differential test of our cron against croner (a well-kept cron library with a Quartz mode), on
 * expressions both accept: a few hundred generated from a seeded grammar (so a failure replays),
 * each asked for its next fires from several instants in zones without daylight saving time (the
 * two differ by design at DST changes: see docs/concepts.md). Where they disagree, the expression,
 * zone and instant are printed.
 */
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { cron, fires } from './schedules.js';

/** Mulberry32: a small seeded PRNG, so the generated expressions are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function expressions(count: number, random: () => number): string[] {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)]!;
  /** A field over [lo, hi]: *, a value, a list, a range, a step. */
  const field = (lo: number, hi: number): string => {
    const a = int(lo, hi);
    const b = int(a, hi);
    return pick([
      () => '*',
      () => String(a),
      () => `${a},${b === a ? Math.min(hi, a + 1) : b}`,
      () => `${a}-${b}`,
      () => `${a}-${hi}/${int(1, Math.max(1, Math.floor((hi - lo) / 2)))}`,
      () => `*/${int(2, Math.max(2, Math.floor((hi - lo) / 3)))}`,
    ])();
  };
  const days = (): [string, string] =>
    pick([
      () => [field(1, 28), '?'] as [string, string],
      () => [pick(['L', 'LW', '15W', 'L-2', '1W']), '?'] as [string, string],
      () => ['?', `${pick(DAYS.slice(1, 4))}-${pick(DAYS.slice(4))}`] as [string, string],
      () => ['?', `${pick(DAYS)},${pick(DAYS)}`] as [string, string],
      () => ['?', `${int(1, 7)}#${int(1, 4)}`] as [string, string],
      () => ['?', `${int(1, 7)}L`] as [string, string],
      () => ['?', '*'] as [string, string],
    ])();
  const out: string[] = [];
  while (out.length < count) {
    const [dom, dow] = days();
    out.push([field(0, 59), field(0, 59), field(0, 23), dom, pick(['*', field(1, 12)]), dow].join(' '));
  }
  return out;
}

const ZONES = ['UTC', 'Asia/Shanghai', 'Asia/Kolkata'];
const FROM = ['2024-01-01T00:00:00Z', '2025-02-27T13:37:11Z', '2026-12-31T23:59:59Z'];
const COUNT = 8;

function croner(expression: string, timezone: string, from: string): string[] {
  const job = new Cron(expression, { timezone, mode: '6-part', alternativeWeekdays: true, paused: true });
  return job.nextRuns(COUNT, new Date(from)).map((d) => d.toISOString().replace('.000Z', 'Z'));
}

describe('our cron against croner', () => {
  it('agrees on the next fires of 300 generated expressions in zones without DST', () => {
    const disagreements: string[] = [];
    let compared = 0;
    for (const expression of expressions(300, seeded(20261204))) {
      try {
        croner(expression, 'UTC', FROM[0]!);
      } catch {
        continue; // croner refuses it: not an expression both accept
      }
      compared += 1;
      for (const timezone of ZONES) {
        for (const from of FROM) {
          const ours = fires(cron(expression, { timezone }), from, COUNT);
          const theirs = croner(expression, timezone, from);
          if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
            disagreements.push(
              `${expression} in ${timezone} from ${from}: ours ${ours[0]}…, croner ${theirs[0]}…`,
            );
          }
        }
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(250);
  });
});
