import { describe, it, expect } from 'vitest';
import { nextFireAfter, nextFires, type CalendarRule } from '../src/index.js';
import { api, cron, fires, fixedDelay, fixedRate, iso, ms, oneTime } from './schedules.js';

describe('fixed_rate', () => {
  const anchor = ms('2024-01-01T00:00:00Z');

  it('fires at anchor + k * interval, strictly after `after`', () => {
    expect(fires(fixedRate(90), '2023-12-31T00:00:00Z', 3, { anchor })).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:01:30Z',
      '2024-01-01T00:03:00Z',
    ]);
    expect(fires(fixedRate(90), '2024-01-01T00:00:00Z', 1, { anchor })).toEqual(['2024-01-01T00:01:30Z']);
    expect(fires(fixedRate(90), '2024-01-01T00:01:29.999Z', 1, { anchor })).toEqual(['2024-01-01T00:01:30Z']);
  });

  it('uses startAt over the anchor', () => {
    expect(
      fires(fixedRate(3600, '2024-06-01T00:30:00+02:00'), '2024-06-01T12:00:00Z', 2, { anchor }),
    ).toEqual(['2024-06-01T12:30:00Z', '2024-06-01T13:30:00Z']);
  });

  it('computes a slot a billion intervals on by arithmetic, without drift', () => {
    const interval = 7;
    const k = 1_000_000_000;
    const after = anchor + k * interval * 1000 - 1;
    expect(nextFireAfter(fixedRate(interval), after, { anchor })).toBe(anchor + k * interval * 1000);
    const many = nextFires(fixedRate(interval), anchor, 1000, { anchor });
    expect(many.every((t, i) => t === anchor + (i + 1) * interval * 1000)).toBe(true);
  });

  it('is not moved by DST: the interval is in real seconds', () => {
    const start = '2024-03-10T06:00:00Z';
    expect(fires({ ...fixedRate(3600, start), timezone: 'America/New_York' }, start, 2, { anchor })).toEqual([
      '2024-03-10T07:00:00Z',
      '2024-03-10T08:00:00Z',
    ]);
  });
});

describe('fixed_delay (preview only)', () => {
  it('fires one delay after `after`, then one delay apart', () => {
    expect(fires(fixedDelay(30), '2024-01-01T00:00:10Z', 3)).toEqual([
      '2024-01-01T00:00:40Z',
      '2024-01-01T00:01:10Z',
      '2024-01-01T00:01:40Z',
    ]);
  });
});

describe('one_time and api', () => {
  it('one_time fires at `at` when it is strictly after `after`', () => {
    const once = oneTime('2024-05-01T10:00:00+02:00');
    expect(fires(once, '2024-01-01T00:00:00Z', 5)).toEqual(['2024-05-01T08:00:00Z']);
    expect(nextFireAfter(once, ms('2024-05-01T08:00:00Z'), { anchor: 0 })).toBeNull();
  });

  it('api never fires on its own', () => {
    expect(nextFireAfter(api(), 0, { anchor: 0 })).toBeNull();
    expect(nextFires(api(), 0, 10, { anchor: 0 })).toEqual([]);
  });

  it('refuses an `after` that is not an instant', () => {
    expect(() => nextFireAfter(api(), Number.NaN, { anchor: 0 })).toThrow(RangeError);
  });
});

describe('calendars', () => {
  const holidays = (
    timezone: string,
    dates: string[],
    mode: CalendarRule['mode'] = 'exclude',
  ): CalendarRule => ({
    timezone,
    dates: new Set(dates),
    mode,
  });

  it('exclude: a slot on a listed date (in the calendar zone) is passed over', () => {
    const calendar = holidays('America/New_York', ['2024-07-04', '2024-07-05']);
    expect(
      fires(cron('0 0 9 * * ?', { timezone: 'America/New_York' }), '2024-07-03T00:00:00Z', 3, {
        anchor: 0,
        calendar,
      }),
    ).toEqual(['2024-07-03T13:00:00Z', '2024-07-06T13:00:00Z', '2024-07-07T13:00:00Z']);
  });

  it('the date is read in the calendar zone, not the schedule zone', () => {
    // 23:00Z on 1 January is 08:00 on 2 January in Tokyo.
    const calendar = holidays('Asia/Tokyo', ['2024-01-02']);
    expect(fires(cron('0 0 23 * * ?'), '2024-01-01T00:00:00Z', 2, { anchor: 0, calendar })).toEqual([
      '2024-01-02T23:00:00Z',
      '2024-01-03T23:00:00Z',
    ]);
  });

  it('include: only slots on listed dates fire', () => {
    const calendar = holidays('Europe/Berlin', ['2024-05-01', '2024-05-15'], 'include');
    expect(
      fires(cron('0 0 12 * * ?', { timezone: 'Europe/Berlin' }), '2024-04-01T00:00:00Z', 3, {
        anchor: 0,
        calendar,
      }),
    ).toEqual(['2024-05-01T10:00:00Z', '2024-05-15T10:00:00Z']);
  });

  it('a ruled-out day is skipped in one step, even for every-second schedules', () => {
    // Kolkata's 1 January runs from 2023-12-31T18:30Z to 2024-01-01T18:30Z.
    const calendar = holidays('Asia/Kolkata', ['2024-01-01']);
    expect(fires(cron('* * * * * ?'), '2023-12-31T18:29:58Z', 2, { anchor: 0, calendar })).toEqual([
      '2023-12-31T18:29:59Z',
      '2024-01-01T18:30:00Z',
    ]);
  });

  it('applies to fixed_rate slots and one_time instants', () => {
    const anchor = ms('2024-01-01T00:00:00Z');
    const calendar = holidays('Asia/Kolkata', ['2024-01-01']);
    expect(fires(fixedRate(3600), '2023-12-31T23:00:00Z', 2, { anchor, calendar })).toEqual([
      '2024-01-01T19:00:00Z',
      '2024-01-01T20:00:00Z',
    ]);
    const once = oneTime('2024-01-01T12:00:00Z');
    expect(nextFireAfter(once, 0, { anchor, calendar })).toBeNull();
    expect(iso(nextFireAfter(once, 0, { anchor, calendar: holidays('UTC', ['2024-01-02']) })!)).toBe(
      '2024-01-01T12:00:00Z',
    );
  });

  it('gives up (null) on a calendar that rules out everything, quickly', () => {
    const nothing = holidays('Europe/Berlin', [], 'include');
    const started = performance.now();
    expect(
      nextFireAfter(cron('* * * * * ?'), ms('2024-01-01T00:00:00Z'), { anchor: 0, calendar: nothing }),
    ).toBeNull();
    expect(nextFireAfter(fixedRate(1), 0, { anchor: 0, calendar: nothing })).toBeNull();
    expect(nextFires(cron('0 0 0 ? * MON'), 0, 5, { anchor: 0, calendar: nothing })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('still finds a permitted date more than a year on', () => {
    const calendar = holidays('UTC', ['2027-03-01'], 'include');
    expect(fires(cron('0 0 6 * * ?'), '2024-01-01T00:00:00Z', 1, { anchor: 0, calendar })).toEqual([
      '2027-03-01T06:00:00Z',
    ]);
  });
});
