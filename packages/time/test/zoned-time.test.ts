import { describe, it, expect } from 'vitest';
import { firstInstantAfterGap, instantsOfLocal, isValidTimeZone, localFields } from '../src/index.js';
import { iso, ms } from './schedules.js';

const at = (year: number, month: number, day: number, hour: number, minute = 0, second = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});

describe('isValidTimeZone', () => {
  it('knows IANA names, their aliases and any letter case', () => {
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('america/new_york')).toBe(true);
    expect(isValidTimeZone('Asia/Calcutta')).toBe(true);
  });

  it('refuses made-up names and the empty string', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin ')).toBe(false);
  });
});

describe('localFields', () => {
  it('gives the local date, time and weekday (0 = Sunday)', () => {
    expect(localFields(ms('2024-03-10T07:00:00Z'), 'America/New_York')).toEqual({
      ...at(2024, 3, 10, 3),
      dayOfWeek: 0,
    });
    expect(localFields(ms('2024-01-01T18:29:59.999Z'), 'Asia/Kolkata')).toEqual({
      ...at(2024, 1, 1, 23, 59, 59),
      dayOfWeek: 1,
    });
    expect(localFields(ms('2024-02-29T23:59:59Z'), 'UTC')).toEqual({
      ...at(2024, 2, 29, 23, 59, 59),
      dayOfWeek: 4,
    });
  });

  it('works before 1970 and far ahead', () => {
    expect(localFields(ms('1969-12-31T23:59:59Z'), 'UTC')).toEqual({
      ...at(1969, 12, 31, 23, 59, 59),
      dayOfWeek: 3,
    });
    expect(localFields(ms('2199-12-31T12:00:00Z'), 'Europe/Berlin')).toEqual({
      ...at(2199, 12, 31, 13),
      dayOfWeek: 2,
    });
  });
});

describe('instantsOfLocal', () => {
  it('finds one instant for an ordinary local time', () => {
    expect(instantsOfLocal(at(2024, 7, 1, 9), 'Europe/Berlin').map(iso)).toEqual(['2024-07-01T07:00:00Z']);
    expect(instantsOfLocal(at(2024, 7, 1, 9), 'Asia/Kolkata').map(iso)).toEqual(['2024-07-01T03:30:00Z']);
    expect(instantsOfLocal(at(2024, 7, 1, 9), 'UTC').map(iso)).toEqual(['2024-07-01T09:00:00Z']);
  });

  it('finds none inside a spring-forward gap', () => {
    expect(instantsOfLocal(at(2024, 3, 10, 2, 30), 'America/New_York')).toEqual([]);
    expect(instantsOfLocal(at(2024, 3, 31, 2), 'Europe/Berlin')).toEqual([]);
    expect(instantsOfLocal(at(2024, 10, 6, 2, 15), 'Australia/Lord_Howe')).toEqual([]);
  });

  it('finds both, ascending, inside a fall-back overlap', () => {
    expect(instantsOfLocal(at(2024, 11, 3, 1, 30), 'America/New_York').map(iso)).toEqual([
      '2024-11-03T05:30:00Z',
      '2024-11-03T06:30:00Z',
    ]);
    expect(instantsOfLocal(at(2024, 4, 7, 1, 45), 'Australia/Lord_Howe').map(iso)).toEqual([
      '2024-04-06T14:45:00Z',
      '2024-04-06T15:15:00Z',
    ]);
  });

  it('treats the edges of a gap and an overlap exactly', () => {
    expect(instantsOfLocal(at(2024, 3, 10, 1, 59, 59), 'America/New_York').map(iso)).toEqual([
      '2024-03-10T06:59:59Z',
    ]);
    expect(instantsOfLocal(at(2024, 3, 10, 3), 'America/New_York').map(iso)).toEqual([
      '2024-03-10T07:00:00Z',
    ]);
    expect(instantsOfLocal(at(2024, 11, 3, 0, 59, 59), 'America/New_York').map(iso)).toEqual([
      '2024-11-03T04:59:59Z',
    ]);
    expect(instantsOfLocal(at(2024, 11, 3, 2), 'America/New_York').map(iso)).toEqual([
      '2024-11-03T07:00:00Z',
    ]);
  });
});

describe('firstInstantAfterGap', () => {
  it('is the moment of the transition, whichever time in the gap is asked', () => {
    expect(iso(firstInstantAfterGap(at(2024, 3, 10, 2), 'America/New_York'))).toBe('2024-03-10T07:00:00Z');
    expect(iso(firstInstantAfterGap(at(2024, 3, 10, 2, 59, 59), 'America/New_York'))).toBe(
      '2024-03-10T07:00:00Z',
    );
    expect(iso(firstInstantAfterGap(at(2024, 10, 6, 2, 15), 'Australia/Lord_Howe'))).toBe(
      '2024-10-05T15:30:00Z',
    );
  });

  it('is the instant itself for a time that exists', () => {
    expect(iso(firstInstantAfterGap(at(2024, 11, 3, 1, 30), 'America/New_York'))).toBe(
      '2024-11-03T05:30:00Z',
    );
  });
});
