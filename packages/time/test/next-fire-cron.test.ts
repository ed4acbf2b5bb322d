import { describe, it, expect } from 'vitest';
import { nextFireAfter } from '../src/index.js';
import { cron, fires, iso, ms } from './schedules.js';

describe('cron in UTC: the Quartz examples', () => {
  it('0 0 8 * * ? fires at 08:00 every day, strictly after the start', () => {
    expect(fires(cron('0 0 8 * * ?'), '2024-01-01T00:00:00Z', 3)).toEqual([
      '2024-01-01T08:00:00Z',
      '2024-01-02T08:00:00Z',
      '2024-01-03T08:00:00Z',
    ]);
    expect(fires(cron('0 0 8 * * ?'), '2024-01-01T08:00:00Z', 1)).toEqual(['2024-01-02T08:00:00Z']);
    expect(fires(cron('0 0 8 * * ?'), '2024-01-01T07:59:59.999Z', 1)).toEqual(['2024-01-01T08:00:00Z']);
  });

  it('0 15 10 L * ? fires on the last day of each month, leap February included', () => {
    expect(fires(cron('0 15 10 L * ?'), '2024-01-01T00:00:00Z', 5)).toEqual([
      '2024-01-31T10:15:00Z',
      '2024-02-29T10:15:00Z',
      '2024-03-31T10:15:00Z',
      '2024-04-30T10:15:00Z',
      '2024-05-31T10:15:00Z',
    ]);
    expect(fires(cron('0 15 10 L * ?'), '2023-02-01T00:00:00Z', 1)).toEqual(['2023-02-28T10:15:00Z']);
  });

  it('0 15 10 L-2 * ? fires two days before the last day', () => {
    expect(fires(cron('0 15 10 L-2 * ?'), '2024-01-01T00:00:00Z', 3)).toEqual([
      '2024-01-29T10:15:00Z',
      '2024-02-27T10:15:00Z',
      '2024-03-29T10:15:00Z',
    ]);
  });

  it('0 15 10 ? * 6L fires on the last Friday of the month', () => {
    expect(fires(cron('0 15 10 ? * 6L'), '2024-01-01T00:00:00Z', 5)).toEqual([
      '2024-01-26T10:15:00Z',
      '2024-02-23T10:15:00Z',
      '2024-03-29T10:15:00Z',
      '2024-04-26T10:15:00Z',
      '2024-05-31T10:15:00Z',
    ]);
  });

  it('0 15 10 ? * 6#3 fires on the third Friday of the month', () => {
    expect(fires(cron('0 15 10 ? * 6#3'), '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-01-19T10:15:00Z',
      '2024-02-16T10:15:00Z',
      '2024-03-15T10:15:00Z',
      '2024-04-19T10:15:00Z',
    ]);
  });

  it('0 0 12 ? * 1#5 fires only in months with a fifth Sunday', () => {
    expect(fires(cron('0 0 12 ? * 1#5'), '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-03-31T12:00:00Z',
      '2024-06-30T12:00:00Z',
      '2024-09-29T12:00:00Z',
      '2024-12-29T12:00:00Z',
    ]);
  });

  it('0 0 12 15W * ? moves a Saturday 15th to Friday and a Sunday 15th to Monday', () => {
    // 2024-06-15 is a Saturday, 2024-09-15 a Sunday; the other 15ths of 2024 are weekdays.
    expect(fires(cron('0 0 12 15W * ?'), '2024-05-20T00:00:00Z', 5)).toEqual([
      '2024-06-14T12:00:00Z',
      '2024-07-15T12:00:00Z',
      '2024-08-15T12:00:00Z',
      '2024-09-16T12:00:00Z',
      '2024-10-15T12:00:00Z',
    ]);
  });

  it('nW never leaves the month: 1W on a Saturday is Monday the 3rd, 31W on a Sunday is Friday the 29th', () => {
    expect(fires(cron('0 0 12 1W * ?'), '2024-05-20T00:00:00Z', 1)).toEqual(['2024-06-03T12:00:00Z']);
    expect(fires(cron('0 0 12 31W * ?'), '2024-03-01T00:00:00Z', 2)).toEqual([
      '2024-03-29T12:00:00Z', // 31 March 2024 is a Sunday
      '2024-05-31T12:00:00Z', // April has no 31st: no fire, rather than drifting to the 30th
    ]);
  });

  it('0 0 12 LW * ? fires on the last weekday of the month', () => {
    expect(fires(cron('0 0 12 LW * ?'), '2024-03-01T00:00:00Z', 6)).toEqual([
      '2024-03-29T12:00:00Z', // the 31st is a Sunday
      '2024-04-30T12:00:00Z',
      '2024-05-31T12:00:00Z',
      '2024-06-28T12:00:00Z', // the 30th is a Sunday
      '2024-07-31T12:00:00Z',
      '2024-08-30T12:00:00Z', // the 31st is a Saturday
    ]);
  });

  it('0 0/5 14 * * ? fires every 5 minutes from 14:00 to 14:55, then the next day', () => {
    const all = fires(cron('0 0/5 14 * * ?'), '2024-01-01T00:00:00Z', 13);
    expect(all[0]).toBe('2024-01-01T14:00:00Z');
    expect(all[11]).toBe('2024-01-01T14:55:00Z');
    expect(all[12]).toBe('2024-01-02T14:00:00Z');
  });

  it('0 0 0 ? * L fires on Saturdays (L alone in day-of-week is 7)', () => {
    expect(fires(cron('0 0 0 ? * L'), '2024-01-01T00:00:00Z', 2)).toEqual([
      '2024-01-06T00:00:00Z',
      '2024-01-13T00:00:00Z',
    ]);
  });

  it('honours the year field and then stops', () => {
    expect(fires(cron('0 0 12 1 1 ? 2026,2028'), '2024-06-01T00:00:00Z', 5)).toEqual([
      '2026-01-01T12:00:00Z',
      '2028-01-01T12:00:00Z',
    ]);
    expect(nextFireAfter(cron('0 0 0 1 1 ? 2020'), ms('2024-01-01T00:00:00Z'), { anchor: 0 })).toBeNull();
  });

  it('finds a leap day years ahead, and never a 30 February', () => {
    expect(fires(cron('0 0 0 29 2 ?'), '2024-03-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00Z',
      '2032-02-29T00:00:00Z',
    ]);
    expect(nextFireAfter(cron('0 0 0 30 2 ?'), ms('2024-01-01T00:00:00Z'), { anchor: 0 })).toBeNull();
  });

  it('* * * * * ? fires every second, carrying across the end of a year', () => {
    expect(fires(cron('* * * * * ?'), '2024-12-31T23:59:58.500Z', 3)).toEqual([
      '2024-12-31T23:59:59Z',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:01Z',
    ]);
  });

  it('carries from the 31st to the next month that has one', () => {
    expect(fires(cron('0 0 0 31 * ?'), '2024-01-31T00:00:00Z', 2)).toEqual([
      '2024-03-31T00:00:00Z',
      '2024-05-31T00:00:00Z',
    ]);
  });

  it('reads names and wrapping ranges', () => {
    expect(fires(cron('0 0 9 ? * mon-fri'), '2024-01-05T10:00:00Z', 2)).toEqual([
      '2024-01-08T09:00:00Z', // Friday the 5th is past 09:00: Monday
      '2024-01-09T09:00:00Z',
    ]);
    expect(fires(cron('0 0 10 ? * FRI-MON'), '2024-01-04T00:00:00Z', 5)).toEqual([
      '2024-01-05T10:00:00Z',
      '2024-01-06T10:00:00Z',
      '2024-01-07T10:00:00Z',
      '2024-01-08T10:00:00Z',
      '2024-01-12T10:00:00Z',
    ]);
    expect(fires(cron('0 0 22-1 * * ?'), '2024-01-01T12:00:00Z', 4)).toEqual([
      '2024-01-01T22:00:00Z',
      '2024-01-01T23:00:00Z',
      '2024-01-02T00:00:00Z',
      '2024-01-02T01:00:00Z',
    ]);
    expect(fires(cron('0 0 0 1 FEB,AUG ?'), '2024-01-01T00:00:00Z', 2)).toEqual([
      '2024-02-01T00:00:00Z',
      '2024-08-01T00:00:00Z',
    ]);
  });
});

describe('cron in UTC: classic crontab', () => {
  it('*/5 * * * * fires every 5 minutes at second 0', () => {
    expect(fires(cron('*/5 * * * *'), '2024-01-01T00:03:10Z', 2)).toEqual([
      '2024-01-01T00:05:00Z',
      '2024-01-01T00:10:00Z',
    ]);
  });

  it('30 8 * * 1-5 fires at 08:30 on weekdays', () => {
    expect(fires(cron('30 8 * * 1-5'), '2024-01-05T09:00:00Z', 2)).toEqual([
      '2024-01-08T08:30:00Z',
      '2024-01-09T08:30:00Z',
    ]);
  });

  it('0 and 7 and SUN are all Sunday', () => {
    const sunday = ['2024-01-07T12:00:00Z', '2024-01-14T12:00:00Z'];
    expect(fires(cron('0 12 * * 0'), '2024-01-01T00:00:00Z', 2)).toEqual(sunday);
    expect(fires(cron('0 12 * * 7'), '2024-01-01T00:00:00Z', 2)).toEqual(sunday);
    expect(fires(cron('0 12 * * Sun'), '2024-01-01T00:00:00Z', 2)).toEqual(sunday);
  });

  it('0 0 1,15 * 5 fires on the 1st, the 15th and every Friday (Vixie OR)', () => {
    // February 2024: the 1st and 15th are Thursdays.
    expect(fires(cron('0 0 1,15 * 5'), '2024-01-31T12:00:00Z', 6)).toEqual([
      '2024-02-01T00:00:00Z',
      '2024-02-02T00:00:00Z',
      '2024-02-09T00:00:00Z',
      '2024-02-15T00:00:00Z',
      '2024-02-16T00:00:00Z',
      '2024-02-23T00:00:00Z',
    ]);
  });

  it('0 0 */2 * 1 fires on odd days that are Mondays (a leading "*" turns OR into AND)', () => {
    expect(fires(cron('0 0 */2 * 1'), '2024-02-01T00:00:00Z', 4)).toEqual([
      '2024-02-05T00:00:00Z',
      '2024-02-19T00:00:00Z',
      '2024-03-11T00:00:00Z',
      '2024-03-25T00:00:00Z',
    ]);
  });

  it('@daily and @hourly', () => {
    expect(fires(cron('@daily'), '2024-01-01T00:00:00Z', 1)).toEqual(['2024-01-02T00:00:00Z']);
    expect(fires(cron('@hourly'), '2024-01-01T00:30:00Z', 1)).toEqual(['2024-01-01T01:00:00Z']);
  });
});

describe('cron in zones without DST that day', () => {
  it('Asia/Kolkata (+05:30): midnight local is 18:30Z the day before', () => {
    expect(fires(cron('0 0 0 * * ?', { timezone: 'Asia/Kolkata' }), '2024-01-01T00:00:00Z', 2)).toEqual([
      '2024-01-01T18:30:00Z',
      '2024-01-02T18:30:00Z',
    ]);
    expect(fires(cron('0 0/30 9 * * ?', { timezone: 'Asia/Kolkata' }), '2024-01-01T00:00:00Z', 3)).toEqual([
      '2024-01-01T03:30:00Z',
      '2024-01-01T04:00:00Z',
      '2024-01-02T03:30:00Z',
    ]);
  });

  it('the last Friday of the month is the local last Friday, not the UTC one', () => {
    // 2024-05-31 00:30 in Tokyo is still Thursday 30 May in UTC.
    expect(
      iso(
        nextFireAfter(cron('0 30 0 ? * 6L', { timezone: 'Asia/Tokyo' }), ms('2024-05-01T00:00:00Z'), {
          anchor: 0,
        })!,
      ),
    ).toBe('2024-05-30T15:30:00Z');
  });
});
