/**
 * A budget's current period: the hour, day or month (in the budget's time zone) that holds an
 * instant. A local start that falls in a spring-forward gap starts at the first instant after it;
 * one that happens twice (fall back) at the first occurrence.
 */
import type { BudgetPeriod } from '@kairos/protocol';
import { firstInstantAfterGap, instantsOfLocal, localFields } from '@kairos/time';
import type { CivilDateTime } from '@kairos/time';

function startOf(fields: CivilDateTime, timezone: string): number {
  return instantsOfLocal(fields, timezone)[0] ?? firstInstantAfterGap(fields, timezone);
}

/** [start, end) of the period holding `now`. */
export function periodBounds(
  period: BudgetPeriod,
  timezone: string,
  now: number,
): { start: number; end: number } {
  const f = localFields(now, timezone);
  const base = { year: f.year, month: f.month, day: f.day, hour: f.hour, minute: 0, second: 0 };
  switch (period) {
    case 'hour': {
      const start = startOf(base, timezone);
      // The next local hour; Date.UTC normalises day, month and year overflows.
      const next = new Date(Date.UTC(f.year, f.month - 1, f.day, f.hour + 1));
      return { start, end: startOf(civil(next), timezone) };
    }
    case 'day': {
      const start = startOf({ ...base, hour: 0 }, timezone);
      const next = new Date(Date.UTC(f.year, f.month - 1, f.day + 1));
      return { start, end: startOf(civil(next), timezone) };
    }
    case 'month': {
      const start = startOf({ ...base, day: 1, hour: 0 }, timezone);
      const next = new Date(Date.UTC(f.year, f.month, 1));
      return { start, end: startOf(civil(next), timezone) };
    }
  }
}

/** The civil fields of a Date built with Date.UTC (used only as a calendar, not an instant). */
function civil(date: Date): CivilDateTime {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: 0,
    second: 0,
  };
}
