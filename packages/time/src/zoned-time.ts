/**
 * Time-zone conversions on Intl.DateTimeFormat: instant -> local fields, and local fields -> the
 * instants (0, 1 or 2) that show them. Node ships the IANA database inside ICU, so no zone data
 * lives in this repository; upgrading Node upgrades the rules.
 *
 * Formatters are cached per zone (building one costs ~50 us; formatting ~1 us), and "UTC" takes
 * a fast path that never touches Intl. Offsets are taken to be whole seconds (true of every tzdb
 * zone), and a wall time is resolved with the offsets a day before and a day after it, so two
 * transitions less than a day apart (no current rule has them) would be seen as one. ICU counts
 * dates before 1582-10-15 in the Julian calendar while civil.ts is proleptic Gregorian, so zoned
 * instants that early come out wrong; a scheduler never meets them.
 */
import {
  DAY_MS,
  SECOND_MS,
  type CivilDateTime,
  floorToSecond,
  fromWallMs,
  toWallMs,
  weekdayOf,
} from './civil.js';

export interface LocalFields extends CivilDateTime {
  /** 0 = Sunday ... 6 = Saturday */
  dayOfWeek: number;
}

const MAX_FORMATTERS = 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const invalidZones = new Set<string>();

const isUtc = (tz: string): boolean => tz === 'UTC' || tz === 'Etc/UTC';

function formatterFor(tz: string): Intl.DateTimeFormat {
  let formatter = formatters.get(tz);
  if (formatter !== undefined) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      // h23, not hour12: false: the latter renders midnight as "24" on some ICU versions.
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`unknown time zone "${tz}"; use an IANA name such as "Europe/Berlin" or "UTC"`);
  }
  if (formatters.size >= MAX_FORMATTERS) formatters.clear();
  formatters.set(tz, formatter);
  return formatter;
}

/** True when `tz` is a zone name Intl knows (IANA names and their aliases, any letter case). */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  if (isUtc(tz) || formatters.has(tz)) return true;
  if (invalidZones.has(tz)) return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    if (invalidZones.size < MAX_FORMATTERS) invalidZones.add(tz);
    return false;
  }
}

const scratch = [0, 0, 0, 0, 0, 0];

/**
 * Local wall milliseconds (see civil.ts) of an instant, to the second. format() plus a digit scan
 * is about three times faster than formatToParts(); the en-US shape is "3/10/2024, 02:30:00".
 */
function wallMsAt(instant: number, tz: string): number {
  if (isUtc(tz)) return floorToSecond(instant);
  const text = formatterFor(tz).format(instant);
  let n = 0;
  let value = -1;
  for (let i = 0; i < text.length && n < 6; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) value = value < 0 ? c : value * 10 + c;
    else if (value >= 0) {
      scratch[n++] = value;
      value = -1;
    }
  }
  if (value >= 0 && n < 6) scratch[n++] = value;
  if (n !== 6) throw new Error(`unexpected date format from Intl for zone ${tz}: "${text}"`);
  const [month, day, year, hour, minute, second] = scratch as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return toWallMs({ year, month, day, hour, minute, second });
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: -18000000). */
export function offsetAt(instant: number, tz: string): number {
  if (isUtc(tz)) return 0;
  return wallMsAt(instant, tz) - floorToSecond(instant);
}

/** The local date and time (to the second) of an instant in a zone. */
export function localFields(instant: number, tz: string): LocalFields {
  const fields = fromWallMs(wallMsAt(instant, tz));
  return { ...fields, dayOfWeek: weekdayOf(fields.year, fields.month, fields.day) };
}

/** Local wall milliseconds of an instant, to the second: the walk in next-fire.ts starts here. */
export function localWallMs(instant: number, tz: string): number {
  return wallMsAt(instant, tz);
}

/**
 * The instants at which a zone's clocks show `fields`, ascending: [] inside a spring-forward gap,
 * one normally, two inside a fall-back overlap (the earlier is the first occurrence).
 */
export function instantsOfLocal(fields: CivilDateTime, tz: string): number[] {
  return instantsOfWallMs(toWallMs(fields), tz);
}

export function instantsOfWallMs(wall: number, tz: string): number[] {
  if (isUtc(tz)) return [wall];
  // Any instant showing `wall` lies within 14 h of it, so the offsets a day either side are the
  // offsets before and after any transition near it; each candidate is then checked.
  const before = offsetAt(wall - DAY_MS, tz);
  const after = offsetAt(wall + DAY_MS, tz);
  const result: number[] = [];
  for (const candidate of before === after ? [wall - before] : [wall - before, wall - after]) {
    if (offsetAt(candidate, tz) === wall - candidate) result.push(candidate);
  }
  return result.length === 2 && result[0]! > result[1]! ? [result[1]!, result[0]!] : result;
}

/**
 * The first instant (a whole second) in (lo, hi] whose offset differs from the offset at lo:
 * the moment of a transition. Binary search, about 12 lookups for an hour-long window.
 */
export function transitionBetween(lo: number, hi: number, tz: string): number {
  const base = offsetAt(lo, tz);
  let l = Math.floor(lo / SECOND_MS);
  let r = Math.ceil(hi / SECOND_MS);
  while (r - l > 1) {
    const mid = Math.floor((l + r) / 2);
    if (offsetAt(mid * SECOND_MS, tz) === base) l = mid;
    else r = mid;
  }
  return r * SECOND_MS;
}

/**
 * For a wall time inside a spring-forward gap, the first instant after the gap: the transition
 * itself (New York 2024-03-10 02:30 -> 07:00Z, which shows 03:00 EDT). A wall time that exists
 * maps to its first instant.
 */
export function firstInstantAfterGap(fields: CivilDateTime, tz: string): number {
  return firstInstantAtOrAfterWallMs(toWallMs(fields), tz);
}

export function firstInstantAtOrAfterWallMs(wall: number, tz: string): number {
  const existing = instantsOfWallMs(wall, tz);
  if (existing[0] !== undefined) return existing[0];
  // In a gap the offset jumps from `before` to a larger `after`: wall - after is still on the
  // old side, wall - before already on the new side.
  const before = offsetAt(wall - DAY_MS, tz);
  const after = offsetAt(wall + DAY_MS, tz);
  return transitionBetween(wall - Math.max(before, after), wall - Math.min(before, after), tz);
}

/** The first instant of the local day after `instant`'s: midnight, or the end of a gap at midnight. */
export function startOfNextLocalDay(instant: number, tz: string): number {
  const wall = wallMsAt(instant, tz);
  const nextMidnight = (Math.floor(wall / DAY_MS) + 1) * DAY_MS;
  return firstInstantAtOrAfterWallMs(nextMidnight, tz);
}
