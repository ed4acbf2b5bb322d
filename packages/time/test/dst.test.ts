/**
 * The DST policy (see next-fire.ts): a wall time in a spring-forward gap fires at the first
 * instant after the gap ('shift', the default) or not at all ('skip'); a wall time that occurs
 * twice fires once, at its first occurrence; fires strictly increase.
 */
import { describe, it, expect } from 'vitest';
import { nextFireAfter } from '../src/index.js';
import { cron, fires, iso, ms } from './schedules.js';

const NY = { timezone: 'America/New_York' };
const BERLIN = { timezone: 'Europe/Berlin' };
const LORD_HOWE = { timezone: 'Australia/Lord_Howe' };

describe('America/New_York: spring forward, 2024-03-10 02:00 EST -> 03:00 EDT (07:00Z)', () => {
  it('shift: 02:30 fires at 03:00 EDT that day', () => {
    expect(fires(cron('0 30 2 * * ?', NY), '2024-03-08T12:00:00Z', 4)).toEqual([
      '2024-03-09T07:30:00Z', // 02:30 EST
      '2024-03-10T07:00:00Z', // no 02:30: 03:00 EDT
      '2024-03-11T06:30:00Z', // 02:30 EDT
      '2024-03-12T06:30:00Z',
    ]);
  });

  it('skip: 02:30 does not fire that day', () => {
    expect(fires(cron('0 30 2 * * ?', { ...NY, dstGap: 'skip' }), '2024-03-08T12:00:00Z', 3)).toEqual([
      '2024-03-09T07:30:00Z',
      '2024-03-11T06:30:00Z',
      '2024-03-12T06:30:00Z',
    ]);
  });

  it('several gap times shift to the same instant and fire once', () => {
    expect(fires(cron('0 0,10,20 2 * * ?', NY), '2024-03-10T05:00:00Z', 3)).toEqual([
      '2024-03-10T07:00:00Z',
      '2024-03-11T06:00:00Z',
      '2024-03-11T06:10:00Z',
    ]);
  });

  it('every 15 minutes: 01:45 EST, then 03:00 EDT once, then 03:15 EDT', () => {
    expect(fires(cron('0 0/15 * * * ?', NY), '2024-03-10T06:20:00Z', 4)).toEqual([
      '2024-03-10T06:30:00Z', // 01:30 EST
      '2024-03-10T06:45:00Z', // 01:45 EST
      '2024-03-10T07:00:00Z', // 03:00 EDT (02:00-02:45 shifted here, and 03:00 itself)
      '2024-03-10T07:15:00Z',
    ]);
    expect(fires(cron('0 0/15 * * * ?', { ...NY, dstGap: 'skip' }), '2024-03-10T06:40:00Z', 2)).toEqual([
      '2024-03-10T06:45:00Z',
      '2024-03-10T07:00:00Z', // 03:00 EDT exists and fires; only the gap's own times are skipped
    ]);
  });

  it('every second: 01:59:59 EST is followed by 03:00:00 EDT, one second later', () => {
    expect(fires(cron('* * * * * ?', NY), '2024-03-10T06:59:58Z', 3)).toEqual([
      '2024-03-10T06:59:59Z',
      '2024-03-10T07:00:00Z',
      '2024-03-10T07:00:01Z',
    ]);
  });
});

describe('America/New_York: fall back, 2024-11-03 02:00 EDT -> 01:00 EST (06:00Z)', () => {
  it('01:30 fires once, at its first occurrence (EDT)', () => {
    expect(fires(cron('0 30 1 * * ?', NY), '2024-11-02T12:00:00Z', 3)).toEqual([
      '2024-11-03T05:30:00Z', // 01:30 EDT; not again at 01:30 EST (06:30Z)
      '2024-11-04T06:30:00Z',
      '2024-11-05T06:30:00Z',
    ]);
  });

  it('every 15 minutes: 01:00-01:45 EDT, then 02:00 EST an hour later', () => {
    expect(fires(cron('0 0/15 * * * ?', NY), '2024-11-03T04:50:00Z', 6)).toEqual([
      '2024-11-03T05:00:00Z',
      '2024-11-03T05:15:00Z',
      '2024-11-03T05:30:00Z',
      '2024-11-03T05:45:00Z',
      '2024-11-03T07:00:00Z', // 02:00 EST
      '2024-11-03T07:15:00Z',
    ]);
  });

  it('asked from inside the second 01:xx, the next fire is after the repeated hour', () => {
    const every15 = cron('0 0/15 * * * ?', NY);
    expect(iso(nextFireAfter(every15, ms('2024-11-03T06:20:00Z'), { anchor: 0 })!)).toBe(
      '2024-11-03T07:00:00Z',
    );
    const everySecond = cron('* * * * * ?', NY);
    expect(iso(nextFireAfter(everySecond, ms('2024-11-03T06:00:00Z'), { anchor: 0 })!)).toBe(
      '2024-11-03T07:00:00Z',
    );
    expect(iso(nextFireAfter(everySecond, ms('2024-11-03T05:59:59Z'), { anchor: 0 })!)).toBe(
      '2024-11-03T07:00:00Z',
    );
  });

  it('02:00 daily is unaffected', () => {
    expect(fires(cron('0 0 2 * * ?', NY), '2024-11-02T12:00:00Z', 2)).toEqual([
      '2024-11-03T07:00:00Z',
      '2024-11-04T07:00:00Z',
    ]);
  });
});

describe('Europe/Berlin: 2024-03-31 02:00 CET -> 03:00 CEST, 2024-10-27 03:00 CEST -> 02:00 CET (both 01:00Z)', () => {
  it('02:30 daily shifts to 03:00 CEST, or is skipped', () => {
    expect(fires(cron('0 30 2 * * ?', BERLIN), '2024-03-29T12:00:00Z', 3)).toEqual([
      '2024-03-30T01:30:00Z',
      '2024-03-31T01:00:00Z',
      '2024-04-01T00:30:00Z',
    ]);
    expect(fires(cron('0 30 2 * * ?', { ...BERLIN, dstGap: 'skip' }), '2024-03-29T12:00:00Z', 2)).toEqual([
      '2024-03-30T01:30:00Z',
      '2024-04-01T00:30:00Z',
    ]);
  });

  it('02:30 daily fires once on the day 02:30 happens twice', () => {
    expect(fires(cron('0 30 2 * * ?', BERLIN), '2024-10-26T12:00:00Z', 2)).toEqual([
      '2024-10-27T00:30:00Z', // 02:30 CEST; not 01:30Z (02:30 CET)
      '2024-10-28T01:30:00Z',
    ]);
  });

  it('every 15 minutes across both transitions', () => {
    expect(fires(cron('0 0/15 * * * ?', BERLIN), '2024-03-31T00:20:00Z', 4)).toEqual([
      '2024-03-31T00:30:00Z', // 01:30 CET
      '2024-03-31T00:45:00Z', // 01:45 CET
      '2024-03-31T01:00:00Z', // 03:00 CEST
      '2024-03-31T01:15:00Z',
    ]);
    expect(fires(cron('0 0/15 * * * ?', BERLIN), '2024-10-27T00:20:00Z', 4)).toEqual([
      '2024-10-27T00:30:00Z', // 02:30 CEST
      '2024-10-27T00:45:00Z', // 02:45 CEST
      '2024-10-27T02:00:00Z', // 03:00 CET: 02:00-02:45 CET already fired as CEST
      '2024-10-27T02:15:00Z',
    ]);
  });

  it('results strictly increase across a whole year, and the count is 96 a day less the lost hour', () => {
    // Local 2024 runs from 2023-12-31T23:00Z to 2024-12-31T23:00Z.
    const all = fires(cron('0 0/15 * * * ?', BERLIN), '2023-12-31T22:59:59Z', 36_000).map(ms);
    const year = all.filter((t) => t < ms('2024-12-31T23:00:00Z'));
    const increasing = year.every((t, i) => i === 0 || t > year[i - 1]!);
    expect(increasing).toBe(true);
    // 02:00-02:45 and 03:00 on 31 March are one fire; the repeated hour in October adds none.
    expect(year.length).toBe(366 * 96 - 4);
  });
});

describe('Australia/Lord_Howe: 30-minute DST (+10:30 <-> +11:00)', () => {
  // Spring: 2024-10-06 02:00 -> 02:30 local (2024-10-05T15:30Z). Autumn: 2024-04-07 02:00 -> 01:30 (15:00Z).
  it('a time in the half-hour gap shifts to 02:30, or is skipped', () => {
    expect(fires(cron('0 15 2 * * ?', LORD_HOWE), '2024-10-04T12:00:00Z', 3)).toEqual([
      '2024-10-04T15:45:00Z', // 02:15 +10:30
      '2024-10-05T15:30:00Z', // 02:30 +11:00
      '2024-10-06T15:15:00Z', // 02:15 +11:00
    ]);
    expect(fires(cron('0 15 2 * * ?', { ...LORD_HOWE, dstGap: 'skip' }), '2024-10-04T12:00:00Z', 2)).toEqual([
      '2024-10-04T15:45:00Z',
      '2024-10-06T15:15:00Z',
    ]);
  });

  it('every 15 minutes through the repeated half hour fires 01:30 and 01:45 once', () => {
    expect(fires(cron('0 0/15 * * * ?', LORD_HOWE), '2024-04-06T14:20:00Z', 4)).toEqual([
      '2024-04-06T14:30:00Z', // 01:30 +11:00
      '2024-04-06T14:45:00Z', // 01:45 +11:00
      '2024-04-06T15:30:00Z', // 02:00 +10:30
      '2024-04-06T15:45:00Z',
    ]);
  });
});
