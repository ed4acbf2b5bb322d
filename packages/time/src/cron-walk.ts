/**
 * The wall-clock walk: the first local date-time at or after a starting point that a cron
 * expression matches, ignoring time zones (next-fire.ts maps the result to an instant).
 *
 * It never steps second by second: each field jumps to its next allowed value through the
 * field's ceil table, and a miss carries into the next larger field with the smaller ones reset,
 * as an odometer does. Days are matched a month at a time as a 32-bit mask (bit d = day d), so
 * `L`, `15W`, `6#3` and the rest cost a few integer operations per month. `* * * * * ?` answers
 * in one pass; an expression that never matches (`0 0 0 30 2 ?`) is given up on after 400
 * years, the period of the Gregorian calendar, so whatever has not matched by then never will.
 */
import { type CivilDateTime, daysInMonth, weekdayOf } from './civil.js';
import { type CronExpression, type DayOfMonthRule, type DayOfWeekRule, ceilOf } from './cron.js';

/** The Gregorian calendar (leap years and weekdays together) repeats every 400 years. */
const SEARCH_YEARS = 400;

/** Day `target` (1-len) moved to the nearest Monday-Friday without leaving the month (Quartz `W`). */
function nearestWeekday(year: number, month: number, len: number, target: number): number {
  const weekday = weekdayOf(year, month, target);
  if (weekday === 6) return target === 1 ? 3 : target - 1; // Saturday: Friday, or Monday the 3rd
  if (weekday === 0) return target === len ? target - 2 : target + 1; // Sunday: Monday, or Friday
  return target;
}

function dayOfMonthMask(rule: DayOfMonthRule, year: number, month: number, len: number): number {
  let mask = rule.days;
  for (const { offset, weekday } of rule.fromLast) {
    const target = len - offset;
    if (target < 1) continue;
    mask |= 1 << (weekday ? nearestWeekday(year, month, len, target) : target);
  }
  for (const day of rule.nearestWeekday) {
    // Quartz: "31W" in a 30-day month matches nothing rather than drifting to the 30th.
    if (day <= len) mask |= 1 << nearestWeekday(year, month, len, day);
  }
  return mask;
}

function dayOfWeekMask(rule: DayOfWeekRule, firstWeekday: number, len: number): number {
  let mask = rule.monthMasks[firstWeekday] ?? 0;
  for (const weekday of rule.lastOfMonth) {
    const lastWeekday = (firstWeekday + len - 1) % 7;
    mask |= 1 << (len - ((lastWeekday - weekday + 7) % 7));
  }
  for (const { weekday, n } of rule.nth) {
    const day = 1 + ((weekday - firstWeekday + 7) % 7) + 7 * (n - 1);
    if (day <= len) mask |= 1 << day;
  }
  return mask;
}

/** Bit d (1-31) set when day d of the month matches the expression's day fields. */
export function dayMask(expr: CronExpression, year: number, month: number): number {
  const len = daysInMonth(year, month);
  const inMonth = (2 ** (len + 1) - 2) | 0; // bits 1..len
  const dom = expr.dayOfMonth;
  const dow = expr.dayOfWeek;
  if (dom === null && dow === null) return inMonth;
  const domMask = dom === null ? inMonth : dayOfMonthMask(dom, year, month, len);
  const dowMask = dow === null ? inMonth : dayOfWeekMask(dow, weekdayOf(year, month, 1), len);
  return (expr.dayCombine === 'or' ? domMask | dowMask : domMask & dowMask) & inMonth;
}

/** The lowest set bit at or above `from` (1-32), or -1. */
function nextBit(mask: number, from: number): number {
  if (from > 31) return -1;
  const rest = mask & ~((1 << from) - 1);
  if (rest === 0) return -1;
  return 31 - Math.clz32(rest & -rest);
}

/**
 * The first date-time at or after `from` (to the second) that `expr` matches, or null when there
 * is none (the year field is exhausted, or nothing matches in 400 years).
 */
export function nextWallMatch(expr: CronExpression, from: CivilDateTime): CivilDateTime | null {
  let { year, month, day, hour, minute, second } = from;
  const lastYear =
    expr.year === null ? year + SEARCH_YEARS : (expr.year.values[expr.year.values.length - 1] ?? 0);
  // Each carry resets the smaller fields to their start; `continue` re-checks from the year down.
  const carryToYear = (): void => {
    year++;
    month = 1;
    day = 1;
    hour = minute = second = 0;
  };
  while (year <= lastYear) {
    if (expr.year !== null) {
      const y = ceilOf(expr.year, year);
      if (y === -1) return null;
      if (y !== year) {
        year = y;
        month = 1;
        day = 1;
        hour = minute = second = 0;
      }
    }
    const m = ceilOf(expr.month, month);
    if (m === -1) {
      carryToYear();
      continue;
    }
    if (m !== month) {
      month = m;
      day = 1;
      hour = minute = second = 0;
    }
    const d = nextBit(dayMask(expr, year, month), day);
    if (d === -1) {
      month++;
      day = 1;
      hour = minute = second = 0;
      if (month > 12) carryToYear();
      continue;
    }
    if (d !== day) {
      day = d;
      hour = minute = second = 0;
    }
    const h = ceilOf(expr.hour, hour);
    if (h === -1) {
      day++; // may pass the month's end: nextBit then carries into the month
      hour = minute = second = 0;
      continue;
    }
    if (h !== hour) {
      hour = h;
      minute = second = 0;
    }
    const mi = ceilOf(expr.minute, minute);
    if (mi === -1) {
      hour++;
      minute = second = 0;
      continue;
    }
    if (mi !== minute) {
      minute = mi;
      second = 0;
    }
    const s = ceilOf(expr.second, second);
    if (s === -1) {
      minute++;
      second = 0;
      continue;
    }
    return { year, month, day, hour, minute, second: s };
  }
  return null;
}
