/**
 * When does a schedule fire next? Pure: the caller passes `after` and, for fixed_rate, the
 * anchor; nothing here reads a clock.
 *
 * DST policy for cron schedules (the expression is read in the schedule's `timezone`):
 *
 * - A wall time that does not exist (spring forward) fires at the first instant after the gap
 *   when `dstGap` is 'shift' (the default), or not at all with 'skip'. New York, 2024-03-10:
 *   `0 30 2 * * ?` fires at 03:00 EDT (07:00Z) that day with 'shift', and is skipped with 'skip'.
 *   All the gap's matches shift to that same instant and fire once: `0 0/15 * * * ?` fires at
 *   01:45 EST, then 03:00 EDT (for 02:00-02:45), then 03:15 EDT.
 * - A wall time that occurs twice (fall back) fires once, at its first occurrence. New York,
 *   2024-11-03: `0 30 1 * * ?` fires at 01:30 EDT (05:30Z), not again at 01:30 EST (06:30Z);
 *   `0 0/15 * * * ?` fires at 01:00-01:45 EDT, then 02:00 EST, an hour later.
 *
 * So fires strictly increase and never repeat. Quartz (org.quartz.CronExpression 2.3.2, measured)
 * differs at both changes: it skips a wall time in the gap (our 'skip') and fires a repeated
 * wall time once, at its second occurrence. 'shift' is the default because "as soon as the time
 * exists" is what people expect of "02:30 every night" (a daily run is never silently lost), and
 * several gap times fire once, together, rather than spreading over the hour after the gap.
 */
import type { Schedule } from '@kairos/protocol';
import { DAY_MS, SECOND_MS, dateKey, fromWallMs, toWallMs } from './civil.js';
import { parseCron, type CronExpression } from './cron.js';
import { nextWallMatch } from './cron-walk.js';
import {
  firstInstantAtOrAfterWallMs,
  instantsOfWallMs,
  localFields,
  localWallMs,
  startOfNextLocalDay,
  transitionBetween,
} from './zoned-time.js';

/** Dates (YYYY-MM-DD in `timezone`) on which a schedule does not fire (exclude) or only fires (include). */
export interface CalendarRule {
  timezone: string;
  dates: ReadonlySet<string>;
  mode: 'exclude' | 'include';
}

export interface FireContext {
  /** The first fixed_rate slot when the schedule has no startAt (the task's creation + interval). */
  anchor: number;
  calendar?: CalendarRule;
}

/**
 * With a calendar, a search gives up (null) once it has passed over slots for ten years past the
 * first one ruled out: a calendar that rules out everything must not hang the scheduler. Each
 * ruled-out slot skips to the next calendar day, so that is at most ~3,650 steps (~40 ms in a
 * zone); the count is only a backstop.
 */
const CALENDAR_HORIZON_MS = 3653 * DAY_MS;
const CALENDAR_MAX_REJECTIONS = 1_000_000;

/** A guard on nextCronFire's loop: each turn passes one gap or overlap, a handful per search. */
const MAX_DST_TURNS = 10_000;

/**
 * The first cron fire strictly after `after` under the DST policy above. Walks wall-clock
 * matches from the wall time just after `after`; the mapping from a match to its fire instant
 * never decreases, so the first match that maps past `after` is the answer.
 */
function nextCronFire(
  expr: CronExpression,
  tz: string,
  dstGap: 'shift' | 'skip',
  after: number,
): number | null {
  let from = localWallMs(after, tz) + SECOND_MS; // whole seconds, so "strictly after" is +1 s
  for (let turn = 0; turn < MAX_DST_TURNS; turn++) {
    const match = nextWallMatch(expr, fromWallMs(from));
    if (match === null) return null;
    const wall = toWallMs(match);
    const instants = instantsOfWallMs(wall, tz);
    const first = instants[0];
    if (first === undefined) {
      // In a gap: every wall time up to its end maps to the same instant.
      const gapEnd = firstInstantAtOrAfterWallMs(wall, tz);
      if (dstGap === 'shift' && gapEnd > after) return gapEnd;
      from = Math.max(wall + SECOND_MS, localWallMs(gapEnd, tz));
      continue;
    }
    if (first > after) return first;
    // `after` lies in the second pass of a repeated hour and this match's first pass is already
    // behind it, as is every later wall time of the overlap: jump to where the overlap ends.
    const second = instants[1] ?? first;
    const offsetBefore = wall - first;
    const end = second > first ? transitionBetween(first, second, tz) + offsetBefore : wall;
    from = Math.max(wall + SECOND_MS, end);
  }
  return null;
}

/** The first slot of anchor + k * interval (k >= 0) strictly after `after`, by arithmetic. */
function nextRateSlot(anchor: number, intervalMs: number, after: number): number {
  if (after < anchor) return anchor;
  return anchor + (Math.floor((after - anchor) / intervalMs) + 1) * intervalMs;
}

/** The schedule's own next slot, calendar aside. */
function slotFinder(
  schedule: Schedule,
  after: number,
  ctx: FireContext,
): ((t: number) => number | null) | null {
  switch (schedule.type) {
    case 'cron': {
      const expr = parseCron(schedule.expression);
      const tz = schedule.timezone ?? 'UTC';
      const gap = schedule.dstGap ?? 'shift';
      return (t) => nextCronFire(expr, tz, gap, t);
    }
    case 'fixed_rate': {
      const anchor = schedule.startAt === undefined ? ctx.anchor : Date.parse(schedule.startAt);
      const interval = schedule.intervalSeconds * SECOND_MS;
      return (t) => nextRateSlot(anchor, interval, t);
    }
    case 'fixed_delay': {
      // The real next run is "delay after the previous run ends", which only the scheduler
      // knows; as a preview, runs one delay apart starting one delay from now.
      const delay = schedule.delaySeconds * SECOND_MS;
      return (t) => nextRateSlot(after + delay, delay, t);
    }
    case 'one_time': {
      const at = Date.parse(schedule.at);
      return (t) => (at > t ? at : null);
    }
    case 'api':
      return null;
  }
}

function ruledOut(instant: number, calendar: CalendarRule): boolean {
  const { year, month, day } = localFields(instant, calendar.timezone);
  const listed = calendar.dates.has(dateKey(year, month, day));
  return calendar.mode === 'exclude' ? listed : !listed;
}

/**
 * The first time `schedule` fires strictly after `after` (epoch ms), or null if it never does
 * (a one-time schedule already past, an `api` schedule, a cron whose year field is over, or a
 * calendar that rules out every slot within the search bound).
 *
 * @example
 * nextFireAfter(
 *   { type: 'cron', expression: '0 0 8 * * ?', timezone: 'Europe/Berlin', ... },
 *   Date.parse('2024-06-01T12:00:00Z'),
 *   { anchor: 0 },
 * ); // Date.parse('2024-06-02T06:00:00Z')
 */
export function nextFireAfter(schedule: Schedule, after: number, ctx: FireContext): number | null {
  if (!Number.isFinite(after))
    throw new RangeError(`after must be an instant in epoch milliseconds, got ${after}`);
  const next = slotFinder(schedule, after, ctx);
  if (next === null) return null;
  const calendar = ctx.calendar;
  if (calendar === undefined) return next(after);
  let t = after;
  let horizon = Infinity;
  for (let rejections = 0; rejections < CALENDAR_MAX_REJECTIONS; rejections++) {
    const slot = next(t);
    if (slot === null || slot > horizon) return null;
    if (!ruledOut(slot, calendar)) return slot;
    if (horizon === Infinity) horizon = slot + CALENDAR_HORIZON_MS;
    // Every slot on a ruled-out date is ruled out too: go straight to the next date.
    t = Math.max(slot, startOfNextLocalDay(slot, calendar.timezone) - 1);
  }
  return null;
}

/**
 * The next `count` fires strictly after `after`, ascending; fewer if the schedule runs out.
 *
 * @example
 * nextFires({ type: 'fixed_rate', intervalSeconds: 60, ... }, now, 3, { anchor }); // 3 slots, 60 s apart
 */
export function nextFires(schedule: Schedule, after: number, count: number, ctx: FireContext): number[] {
  const fires: number[] = [];
  let t = after;
  while (fires.length < count) {
    const fire = nextFireAfter(schedule, t, ctx);
    if (fire === null) break;
    fires.push(fire);
    t = fire;
  }
  return fires;
}
