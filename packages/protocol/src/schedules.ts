/**
 * Schedules as the API takes and answers them (cron, fixed rate, fixed delay, one time, API),
 * their calendars and misfire policy, the schedule preview, and the PATCH form of a schema.
 */
import { z } from 'zod';
import { isoInstant, id } from './primitives.js';

export const CalendarRef = z.strictObject({
  id,
  mode: z.enum(['exclude', 'include']).default('exclude'),
});

/**
 * How a task's schedule may name its calendar in a request: `{id, mode}`, `{name, mode}` or just
 * `"<name>"` (mode `exclude`), a name being that of a calendar of the task's namespace. Stored
 * and answered schedules always carry `{id, mode}` (CalendarRef).
 */
export const CalendarByName = z.strictObject({
  name: z.string().min(1).max(200),
  mode: z.enum(['exclude', 'include']).default('exclude'),
});
export const CalendarChoice = z.union([
  z
    .string()
    .min(1)
    .max(200)
    .transform((name) => ({ name, mode: 'exclude' as const })),
  CalendarRef,
  CalendarByName,
]);
export type CalendarChoice = z.output<typeof CalendarChoice>;

export const MisfirePolicy = z.enum(['skip', 'fire_once', 'catch_up']);
export const Misfire = z.strictObject({
  policy: MisfirePolicy.default('skip'),
  /** A slot later than this is a misfire. */
  thresholdSeconds: z.number().positive().max(86_400).default(5),
  /** With catch_up, at most this many missed slots are run; the rest are counted as skipped. */
  maxCatchUp: z.number().int().min(1).max(10_000).default(100),
});

const scheduleCommon = {
  timezone: z.string().min(1).default('UTC'),
  calendar: CalendarRef.optional(),
  misfire: z
    .preprocess((v) => (typeof v === 'string' ? { policy: v } : v), Misfire)
    .default({ policy: 'skip', thresholdSeconds: 5, maxCatchUp: 100 }),
  /** A wall time that does not exist (spring forward): fire at the first instant after the gap, or skip it. */
  dstGap: z.enum(['shift', 'skip']).default('shift'),
};

export const CronSchedule = z.strictObject({
  type: z.literal('cron'),
  expression: z.string().min(1).max(500),
  ...scheduleCommon,
});
export const FixedRateSchedule = z.strictObject({
  type: z.literal('fixed_rate'),
  intervalSeconds: z.number().int().min(1, 'must be a whole number of seconds, at least 1'),
  /** The first slot; later slots are startAt + k * interval (no drift). Default: creation time + interval. */
  startAt: isoInstant.optional(),
  ...scheduleCommon,
});
export const FixedDelaySchedule = z.strictObject({
  type: z.literal('fixed_delay'),
  delaySeconds: z.number().int().min(1, 'must be a whole number of seconds, at least 1'),
  ...scheduleCommon,
});
export const OneTimeSchedule = z.strictObject({
  type: z.literal('one_time'),
  at: isoInstant,
  ...scheduleCommon,
});
export const ApiSchedule = z.strictObject({
  type: z.literal('api'),
  ...scheduleCommon,
});

export const Schedule = z.discriminatedUnion('type', [
  CronSchedule,
  FixedRateSchedule,
  FixedDelaySchedule,
  OneTimeSchedule,
  ApiSchedule,
]);
export type ScheduleInput = z.input<typeof Schedule>;
export type Schedule = z.output<typeof Schedule>;

/** A schedule as requests may write it: its calendar by id or by name (CalendarChoice). */
const byName = { calendar: CalendarChoice.optional() };
export const ScheduleRequest = z.discriminatedUnion('type', [
  CronSchedule.extend(byName),
  FixedRateSchedule.extend(byName),
  FixedDelaySchedule.extend(byName),
  OneTimeSchedule.extend(byName),
  ApiSchedule.extend(byName),
]);
export type ScheduleRequest = z.output<typeof ScheduleRequest>;

export const SchedulePreviewRequest = z.strictObject({
  /** Where the schedule's calendar lives; default `default`. */
  namespace: z.string().optional(),
  schedule: Schedule,
  count: z.number().int().min(1).max(1000).default(10),
  from: isoInstant.optional(),
});
export const SchedulePreview = z.object({
  fires: z.array(z.string()),
  /** A cron schedule in words (schedule preview only), e.g. "at 02:30:00 every day". */
  explanation: z.string().optional(),
});
export type SchedulePreview = z.infer<typeof SchedulePreview>;

/**
 * The PATCH form of a creation schema: every field optional and, unlike zod's `.partial()`,
 * without the creation defaults — a field left out of a PATCH must stay as it is, not be reset
 * (with `.partial()`, `{name}` alone came back with `config: {}` and `enabled: true`).
 */
export function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional(),
    ]),
  ) as unknown as {
    [K in keyof Shape]: z.ZodOptional<Shape[K] extends z.ZodDefault<infer Inner> ? Inner : Shape[K]>;
  };
  return z.strictObject(shape);
}
