import { describe, expect, it } from 'vitest';
import { cronFieldsWarning, timeZoneWarning } from '../src/index.js';

describe('timeZoneWarning', () => {
  it('warns about abbreviations and region-less names, with what they are read as', () => {
    expect(timeZoneWarning('CST')).toMatch(/read as America\/Chicago; "CST" is also used for China/);
    expect(timeZoneWarning('EST')).toMatch(/fixed UTC-05:00 without DST/);
    expect(timeZoneWarning('CST6CDT')).toMatch(/read as America\/Chicago/);
    expect(timeZoneWarning('JST')).toMatch(/read as Asia\/Tokyo: name the place/);
  });

  it('is silent for IANA places, UTC and GMT, and for unknown names (refused elsewhere)', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/Dublin', 'UTC', 'GMT', 'Etc/GMT+8', 'KST']) {
      expect(timeZoneWarning(zone), zone).toBeUndefined();
    }
  });
});

describe('cronFieldsWarning', () => {
  it('warns when five fields read like Quartz missing one', () => {
    expect(cronFieldsWarning('0 0 8 * *')).toMatch(/day 8 of the month.*"0 0 8 \* \* \?"/);
    expect(cronFieldsWarning('0 30 23 * *')).toMatch(/day 23 of the month/);
  });

  it('is silent for Quartz expressions and crontab ones that cannot be a Quartz one', () => {
    for (const expression of [
      '0 0 8 * * ?',
      '*/5 * * * *',
      '0 8 * * 1-5',
      '30 2 * * *',
      '0 0 8 1 *',
      '0 0 31 * *',
    ]) {
      expect(cronFieldsWarning(expression), expression).toBeUndefined();
    }
  });
});
