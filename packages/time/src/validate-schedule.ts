/**
 * Checks a schedule the API is about to store, beyond what its zod shape can say: the zone
 * exists, the cron parses and can fire at all, a one-time instant is in the future. Each failure
 * is a ScheduleError with a stable code and the request field at fault, so the client gets a 400
 * that points at what to fix instead of a task that silently never runs.
 *
 * A calendar's own zone is not checked here: the calendar API validates it when the calendar is
 * written.
 */
import type { Schedule } from '@kairos/protocol';
import { ScheduleError } from './schedule-error.js';
import { CronSyntaxError, parseCron } from './cron.js';
import { nextFireAfter } from './next-fire.js';
import { isValidTimeZone } from './zoned-time.js';

function instantField(value: string, field: string): number {
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) {
    throw new ScheduleError(
      'INVALID_SCHEDULE',
      `${field} "${value}" is not an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z`,
      {
        field,
      },
    );
  }
  return instant;
}

function wholeSeconds(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ScheduleError(
      'INVALID_SCHEDULE',
      `${field} must be a whole number of seconds, at least 1 (got ${value})`,
      {
        field,
      },
    );
  }
}

/**
 * Throws a ScheduleError if `schedule` could not be stored as is; `now` is the current instant
 * (epoch ms), passed in because this module never reads a clock.
 *
 * @example
 * validateSchedule({ type: 'cron', expression: '0 0 0 30 2 ?', timezone: 'UTC', ... }, Date.now());
 * // throws INVALID_CRON (field schedule.expression): the expression never fires
 */
export function validateSchedule(schedule: Schedule, now: number): void {
  const timezone = schedule.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone)) {
    throw new ScheduleError(
      'INVALID_TIMEZONE',
      `unknown time zone "${timezone}"; use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"`,
      { field: 'schedule.timezone' },
    );
  }
  switch (schedule.type) {
    case 'cron': {
      try {
        parseCron(schedule.expression);
      } catch (error) {
        if (!(error instanceof CronSyntaxError)) throw error;
        throw new ScheduleError('INVALID_CRON', error.message, {
          field: 'schedule.expression',
          details: { cronField: error.fieldName },
          cause: error,
        });
      }
      if (nextFireAfter(schedule, now, { anchor: now }) === null) {
        throw new ScheduleError(
          'INVALID_CRON',
          `"${schedule.expression}" never fires after ${new Date(now).toISOString()}: no date matches all of its fields` +
            ' (is the day in that month, or the year still to come?)',
          { field: 'schedule.expression' },
        );
      }
      return;
    }
    case 'fixed_rate':
      wholeSeconds(schedule.intervalSeconds, 'schedule.intervalSeconds');
      if (schedule.startAt !== undefined) instantField(schedule.startAt, 'schedule.startAt');
      return;
    case 'fixed_delay':
      wholeSeconds(schedule.delaySeconds, 'schedule.delaySeconds');
      return;
    case 'one_time': {
      const at = instantField(schedule.at, 'schedule.at');
      if (at <= now) {
        throw new ScheduleError(
          'SCHEDULE_IN_PAST',
          `schedule.at ${new Date(at).toISOString()} is not after now (${new Date(now).toISOString()}); ` +
            'a one-time schedule needs a future instant',
          { field: 'schedule.at' },
        );
      }
      return;
    }
    case 'api':
      return;
  }
}
