/**
 * Time: Quartz cron, time zones and DST policy, calendars and next-fire computation.
 * Everything here is pure (no clock, no I/O): callers pass instants in epoch milliseconds.
 */
export { parseCron, CronSyntaxError } from './cron.js';
export type { CronExpression, CronFieldName } from './cron.js';
export { isValidTimeZone, localFields, instantsOfLocal, firstInstantAfterGap } from './zoned-time.js';
export type { LocalFields } from './zoned-time.js';
export { nextFireAfter, nextFires } from './next-fire.js';
export type { CalendarRule, FireContext } from './next-fire.js';
export { validateSchedule } from './validate-schedule.js';
export { ScheduleError } from './schedule-error.js';
export type { ScheduleErrorCode } from './schedule-error.js';
export { explainCron } from './explain.js';
export { scheduleWarnings, timeZoneWarning, cronFieldsWarning } from './schedule-warnings.js';
