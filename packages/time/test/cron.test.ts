import { describe, it, expect } from 'vitest';
import { CronSyntaxError, parseCron } from '../src/index.js';

/** The CronSyntaxError thrown by parsing `expression`. */
function syntaxError(expression: string): CronSyntaxError {
  try {
    parseCron(expression);
  } catch (error) {
    if (error instanceof CronSyntaxError) return error;
    throw error;
  }
  throw new Error(`"${expression}" parsed, expected a CronSyntaxError`);
}

describe('parseCron: the Quartz dialect', () => {
  it('reads six fields, seconds first, into sorted value sets', () => {
    const expr = parseCron('0 0/15 8-10 ? * MON-FRI');
    expect(expr.dialect).toBe('quartz');
    expect(expr.second.values).toEqual([0]);
    expect(expr.minute.values).toEqual([0, 15, 30, 45]);
    expect(expr.hour.values).toEqual([8, 9, 10]);
    expect(expr.month.all).toBe(true);
    expect(expr.dayOfMonth).toBeNull();
    expect(expr.dayOfWeek?.weekdays).toBe(0b0111110); // Monday (1) to Friday (5), 0 = Sunday
    expect(expr.year).toBeNull();
  });

  it('reads steps in every form: */n, a/n and a-b/n', () => {
    expect(parseCron('*/20 * * * * ?').second.values).toEqual([0, 20, 40]);
    expect(parseCron('5/20 * * * * ?').second.values).toEqual([5, 25, 45]);
    expect(parseCron('0 10-40/10 * * * ?').minute.values).toEqual([10, 20, 30, 40]);
    expect(parseCron('0 0 */6 * * ?').hour.values).toEqual([0, 6, 12, 18]);
  });

  it('reads lists, and ranges that wrap around the end of the field', () => {
    expect(parseCron('0 0 22-2 * * ?').hour.values).toEqual([0, 1, 2, 22, 23]);
    expect(parseCron('0 0 0 ? * FRI-MON').dayOfWeek?.weekdays).toBe(0b1100011); // Fri, Sat, Sun, Mon
    expect(parseCron('0 5,10,5 * * * ?').minute.values).toEqual([5, 10]);
  });

  it('reads month and day names in any letter case; day-of-week counts 1 = SUN', () => {
    expect(parseCron('0 0 0 1 jan,Jul,DEC ?').month.values).toEqual([1, 7, 12]);
    expect(parseCron('0 0 0 ? * sun').dayOfWeek?.weekdays).toBe(0b0000001);
    expect(parseCron('0 0 0 ? * 1').dayOfWeek?.weekdays).toBe(0b0000001);
    expect(parseCron('0 0 0 ? * 7').dayOfWeek?.weekdays).toBe(0b1000000);
  });

  it('reads the special day forms L, L-n, nW, LW, nL, n#k and L alone in day-of-week', () => {
    expect(parseCron('0 0 0 L * ?').dayOfMonth?.fromLast).toEqual([{ offset: 0, weekday: false }]);
    expect(parseCron('0 0 0 L-3 * ?').dayOfMonth?.fromLast).toEqual([{ offset: 3, weekday: false }]);
    expect(parseCron('0 0 0 LW * ?').dayOfMonth?.fromLast).toEqual([{ offset: 0, weekday: true }]);
    expect(parseCron('0 0 0 15W * ?').dayOfMonth?.nearestWeekday).toEqual([15]);
    expect(parseCron('0 0 0 ? * 6L').dayOfWeek?.lastOfMonth).toEqual([5]); // Friday
    expect(parseCron('0 0 0 ? * FRIL').dayOfWeek?.lastOfMonth).toEqual([5]);
    expect(parseCron('0 0 0 ? * 6#3').dayOfWeek?.nth).toEqual([{ weekday: 5, n: 3 }]);
    expect(parseCron('0 0 0 ? * L').dayOfWeek?.weekdays).toBe(0b1000000); // Saturday
  });

  it('reads an optional seventh field, the year', () => {
    expect(parseCron('0 0 0 1 1 ? 2025-2027').year?.values).toEqual([2025, 2026, 2027]);
    expect(parseCron('0 0 0 1 1 ? 2030/50').year?.values).toEqual([2030, 2080, 2130, 2180]);
    expect(parseCron('0 0 0 1 1 ? *').year).toBeNull();
  });

  it('takes "*" in one day field with a specific value in the other, and treats the "*" as no constraint', () => {
    expect(parseCron('0 0 8 * * MON').dayOfMonth).toBeNull();
    expect(parseCron('0 0 8 15 * *').dayOfWeek).toBeNull();
    expect(parseCron('0 0 8 * * *').dayOfWeek).toBeNull();
  });
});

describe('parseCron: classic 5-field crontab', () => {
  it('reads minute hour day-of-month month day-of-week with second 0', () => {
    const expr = parseCron('30 8 * * 1-5');
    expect(expr.dialect).toBe('crontab');
    expect(expr.second.values).toEqual([0]);
    expect(expr.minute.values).toEqual([30]);
    expect(expr.dayOfWeek?.weekdays).toBe(0b0111110);
  });

  it('counts day-of-week from 0 = Sunday, with 7 also Sunday', () => {
    expect(parseCron('0 0 * * 0').dayOfWeek?.weekdays).toBe(1);
    expect(parseCron('0 0 * * 7').dayOfWeek?.weekdays).toBe(1);
    expect(parseCron('0 0 * * SUN').dayOfWeek?.weekdays).toBe(1);
    expect(parseCron('0 0 * * 5-7').dayOfWeek?.weekdays).toBe(0b1100001);
  });

  it('ORs the day fields when both are restricted, as Vixie cron does, unless one starts with "*"', () => {
    expect(parseCron('0 0 1,15 * 5').dayCombine).toBe('or');
    expect(parseCron('0 0 */2 * 1').dayCombine).toBe('and');
    expect(parseCron('0 0 1 * *').dayCombine).toBe('and');
  });

  it('expands the @ macros', () => {
    expect(parseCron('@daily').hour.values).toEqual([0]);
    expect(parseCron('@hourly').hour.all).toBe(true);
    expect(parseCron('@weekly').dayOfWeek?.weekdays).toBe(1);
    expect(parseCron('@DAILY').source).toBe('@DAILY');
  });
});

describe('parseCron: caching', () => {
  it('returns the same frozen object for the same string', () => {
    const a = parseCron('0 0 12 * * ?');
    expect(parseCron('0 0 12 * * ?')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('stays correct when more expressions are parsed than the cache holds', () => {
    for (let i = 0; i < 1500; i++) parseCron(`0 0 0 1 1 ? ${1970 + (i % 230)}-2199`);
    expect(parseCron('0 0 12 * * ?').hour.values).toEqual([12]);
  });
});

describe('parseCron: errors name the field and the reason', () => {
  const cases: [string, string, string][] = [
    ['* * * *', 'expression', 'expected 5, 6 or 7 fields, got 4'],
    ['0 0 0 1 1 ? 2025 x', 'expression', 'expected 5, 6 or 7 fields, got 8'],
    ['   ', 'expression', 'the expression is empty'],
    [
      '@reboot',
      'expression',
      'unknown macro "@reboot"; known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    ],
    ['60 * * * * ?', 'second', 'second: 60 is out of range 0-59'],
    ['0 60 * * * ?', 'minute', 'minute: 60 is out of range 0-59'],
    ['0 0 24 * * ?', 'hour', 'hour: 24 is out of range 0-23'],
    ['0 0 0 32 * ?', 'day-of-month', 'day-of-month: 32 is out of range 1-31'],
    ['0 0 0 0 * ?', 'day-of-month', 'day-of-month: 0 is out of range 1-31'],
    ['0 0 0 1 13 ?', 'month', 'month: 13 is out of range 1-12'],
    ['0 0 0 1 FOO ?', 'month', 'month: "FOO" is neither a number nor a name (JAN-DEC)'],
    ['0 0 0 ? * 8', 'day-of-week', 'day-of-week: 8 is out of range 1-7'],
    ['0 0 0 ? * 0', 'day-of-week', 'day-of-week: 0 is out of range 1-7'],
    ['0 0 0 ? * MOO', 'day-of-week', 'day-of-week: "MOO" is neither a number nor a name (SUN-SAT)'],
    ['0 0 0 ? * 6#6', 'day-of-week', 'day-of-week: "6#6": the occurrence after # must be 1-5'],
    ['0 0 0 1 1 ? 1969', 'year', 'year: 1969 is out of range 1970-2199'],
    ['0 0 0 1 1 ? 2030-2020', 'year', 'year: range 2030-2020 runs backwards'],
    ['0 */0 * * * ?', 'minute', 'minute: step in "*/0" must be at least 1'],
    ['0 */61 * * * ?', 'minute', 'minute: step 61 in "*/61" is larger than the range 0-59'],
    ['0 /5 * * * ?', 'minute', 'minute: "/5": a step needs a start, e.g. "*/5" or "0/5"'],
    ['0 1/2/3 * * * ?', 'minute', 'minute: "1/2/3" has more than one "/"'],
    ['0 0 1,,2 * * ?', 'hour', 'hour: empty item in list "1,,2"'],
    ['0 0 1-2-3 * * ?', 'hour', 'hour: "1-2-3" is not a range like "1-5"'],
    ['0 0 x * * ?', 'hour', 'hour: "x" is not a number'],
    ['? * * * * ?', 'second', 'second: "?" is only allowed in day-of-month and day-of-week'],
    ['0 0 0 L-31 * ?', 'day-of-month', 'day-of-month: "L-31": the offset from the last day must be 0-30'],
    [
      '0 0 12 15 * MON',
      'day-of-week',
      'day-of-week: both day-of-month ("15") and day-of-week ("MON") name days; put "?" in one of them',
    ],
    [
      '0 12 L * *',
      'day-of-month',
      'day-of-month: "L": L, W and # are Quartz syntax: use 6 fields, seconds first (e.g. "0 0 12 ? * 6#3")',
    ],
    [
      '0 12 * * 5#3',
      'day-of-week',
      'day-of-week: "5#3": L, W and # are Quartz syntax: use 6 fields, seconds first (e.g. "0 0 12 ? * 6#3")',
    ],
    ['0 0 * * 8', 'day-of-week', 'day-of-week: 8 is out of range 0-7'],
  ];
  it.each(cases)('%s -> %s', (expression, fieldName, message) => {
    const error = syntaxError(expression);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CronSyntaxError');
    expect(error.fieldName).toBe(fieldName);
    expect(error.message).toBe(message);
  });
});
