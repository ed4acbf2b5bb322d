/**
 * A task's schedule PATCH as a merge patch over the stored schedule (RFC 7396 semantics): given
 * fields replace, `null` removes (only `calendar` may be removed), the rest stays. Before this,
 * the PATCH body was parsed as a whole new schedule, so `{"type": "cron", "expression": …}` came
 * back with the zone reset to UTC and the calendar gone: the next fire moved by hours.
 */
import { Schedule } from '@kairos/protocol';
import type { CalendarRef, SchedulePatch } from '@kairos/protocol';
import type { z } from 'zod';
import { KairosError } from '../errors.js';

/** The fields that belong to one schedule type; a change of type drops the old type's ones. */
const OWN_FIELDS: Record<Schedule['type'], string[]> = {
  cron: ['expression'],
  fixed_rate: ['intervalSeconds', 'startAt'],
  fixed_delay: ['delaySeconds'],
  one_time: ['at'],
  api: [],
};

/**
 * The stored schedule with the patch applied, checked as a whole (a 400 naming the
 * `schedule.<field>` at fault, e.g. a change to `cron` without an `expression`).
 *
 * @example
 * applySchedulePatch({ type: 'cron', expression: '0 0 8 * * ?', timezone: 'Asia/Shanghai', … },
 *   { expression: '0 30 8 * * ?' }) // same zone, calendar, misfire; new expression
 */
export function applySchedulePatch(
  current: Schedule,
  patch: Omit<SchedulePatch, 'calendar'> & { calendar?: z.output<typeof CalendarRef> | null | undefined },
): Schedule {
  const merged: Record<string, unknown> = { ...current };
  if (patch.type !== undefined && patch.type !== current.type) {
    for (const field of OWN_FIELDS[current.type]) delete merged[field];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const result = Schedule.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = ['schedule', ...path].join('.');
  throw new KairosError(
    field === 'schedule.expression' ? 'INVALID_CRON' : 'INVALID_SCHEDULE',
    `${field}: ${issue.code === 'invalid_type' && issue.input === undefined ? `is required for a ${String(merged.type)} schedule` : issue.message}`,
    { field },
  );
}
