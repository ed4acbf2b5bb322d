/**
 * Warnings for schedules that are valid but probably not what their author meant:
 * a time zone given as an abbreviation (`CST` meant as China Standard Time is read by the time
 * zone database as America/Chicago, `IST` as India, `EST` as a fixed UTC-5 with no DST), and a
 * five-field expression that reads as a Quartz expression missing its last field (`0 0 8 * *`,
 * meant "08:00 every day", is the classic crontab "00:00 on the 8th of the month").
 * Pure: the task API returns these with create, update and validate; `kairos cron explain` prints them.
 */
import type { Schedule } from '@kairos/protocol';

/** Other common meanings of abbreviations that ICU resolves to one zone, with the place to name. */
const OTHER_MEANINGS: Record<string, string> = {
  CST: 'China Standard Time (Asia/Shanghai), US Central (America/Chicago) or Cuba (America/Havana)',
  IST: 'India (Asia/Kolkata), Israel (Asia/Jerusalem) or Ireland (Europe/Dublin)',
  EST: 'US Eastern with DST (America/New_York); "EST" itself is a fixed UTC-05:00 without DST',
  MST: 'US Mountain with DST (America/Denver); "MST" itself is a fixed UTC-07:00 without DST',
  BST: 'British Summer Time (Europe/London) or Bangladesh (Asia/Dhaka)',
  AST: 'Atlantic (America/Halifax), Arabia (Asia/Riyadh) or Alaska (America/Anchorage)',
  PST: 'US Pacific (America/Los_Angeles) or the Philippines (Asia/Manila)',
  HST: 'Hawaii (Pacific/Honolulu)',
};

const NOT_ABBREVIATIONS = new Set(['UTC', 'GMT', 'UCT', 'UNIVERSAL', 'ZULU']);

/** How the time zone database reads `zone`, or undefined when it does not know it. */
function resolvedZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A warning when `zone` is an abbreviation or a region-less legacy name (`CST6CDT`), else undefined. */
export function timeZoneWarning(zone: string): string | undefined {
  const upper = zone.toUpperCase();
  if (NOT_ABBREVIATIONS.has(upper) || !/^[A-Z]{2,5}(\d[A-Z]{3,4})?$/i.test(zone)) return undefined;
  const resolved = resolvedZone(zone);
  if (resolved === undefined) return undefined; // Refused as unknown anyway.
  const others = OTHER_MEANINGS[upper];
  return (
    `schedule.timezone "${zone}" is an abbreviation, read as ${resolved}` +
    (others ? `; "${upper}" is also used for ${others}` : '') +
    ': name the place with its IANA zone (e.g. "Asia/Shanghai") to be sure'
  );
}

/** A warning when a five-field expression looks like a Quartz one missing a field, else undefined. */
export function cronFieldsWarning(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [first, , third, fourth, fifth] = fields as [string, string, string, string, string];
  // Quartz users start with seconds (often 0) and give an hour where crontab has the day of the
  // month; `S M H * *` (every month, every weekday) is what a Quartz line without its last field
  // looks like, and a crontab line pinning a day of every month is rarer.
  const looksLikeSeconds = /^\d{1,2}$/.test(first) || first.includes('/');
  const hourLike = /^\d{1,2}$/.test(third) && Number(third) <= 23;
  if (!looksLikeSeconds || !hourLike || fourth !== '*' || fifth !== '*') return undefined;
  return (
    `schedule.expression "${expression}" has 5 fields, so it is read as a classic crontab ` +
    `(minute hour day-of-month month day-of-week): day ${third} of the month. If you meant Quartz ` +
    `(seconds first), it is missing a field: write "${expression} ?" (second ${first}, minute ` +
    `${fields[1]!}, hour ${third}, every day)`
  );
}

/** Every warning for a schedule, in field order. */
export function scheduleWarnings(schedule: Schedule): string[] {
  const warnings: string[] = [];
  const zone = timeZoneWarning(schedule.timezone);
  if (zone) warnings.push(zone);
  if (schedule.type === 'cron') {
    const fields = cronFieldsWarning(schedule.expression);
    if (fields) warnings.push(fields);
  }
  return warnings;
}
