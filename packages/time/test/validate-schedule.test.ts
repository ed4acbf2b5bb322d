import { describe, it, expect } from 'vitest';
import type { Schedule } from '@kairos/protocol';
import { ScheduleError, validateSchedule } from '../src/index.js';
import { api, cron, fixedDelay, fixedRate, ms, oneTime } from './schedules.js';

const now = ms('2025-06-01T12:00:00Z');

function rejection(schedule: Schedule): ScheduleError {
  try {
    validateSchedule(schedule, now);
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error('the schedule was accepted, expected a ScheduleError');
}

describe('validateSchedule', () => {
  it('accepts good schedules of every type', () => {
    expect(() => validateSchedule(cron('0 0 8 * * ?', { timezone: 'Europe/Berlin' }), now)).not.toThrow();
    expect(() => validateSchedule(cron('*/5 * * * *'), now)).not.toThrow();
    expect(() => validateSchedule(fixedRate(60, '2020-01-01T00:00:00Z'), now)).not.toThrow();
    expect(() => validateSchedule(fixedDelay(1), now)).not.toThrow();
    expect(() => validateSchedule(oneTime('2025-06-01T12:00:01Z'), now)).not.toThrow();
    expect(() => validateSchedule(api(), now)).not.toThrow();
  });

  it('INVALID_TIMEZONE names the zone and the field', () => {
    const error = rejection(cron('0 0 8 * * ?', { timezone: 'Mars/Olympus_Mons' }));
    expect(error.code).toBe('INVALID_TIMEZONE');
    expect(error.field).toBe('schedule.timezone');
    expect(error.message).toContain('"Mars/Olympus_Mons"');
    expect(rejection({ ...api(), timezone: 'Nowhere' }).code).toBe('INVALID_TIMEZONE');
  });

  it('INVALID_CRON carries the parser message, which names the cron field', () => {
    const error = rejection(cron('0 0 0 32 * ?'));
    expect(error.code).toBe('INVALID_CRON');
    expect(error.field).toBe('schedule.expression');
    expect(error.message).toBe('day-of-month: 32 is out of range 1-31');
    expect(error.details).toEqual({ cronField: 'day-of-month' });
    expect(rejection(cron('* * * *')).message).toBe('expected 5, 6 or 7 fields, got 4');
  });

  it('INVALID_CRON for an expression that can never fire', () => {
    const error = rejection(cron('0 0 0 30 2 ?'));
    expect(error.code).toBe('INVALID_CRON');
    expect(error.field).toBe('schedule.expression');
    expect(error.message).toMatch(/^"0 0 0 30 2 \?" never fires after 2025-06-01T12:00:00.000Z/);
    expect(rejection(cron('0 0 0 1 1 ? 2020-2024')).code).toBe('INVALID_CRON');
  });

  it('SCHEDULE_IN_PAST for a one-time instant not after now', () => {
    for (const at of ['2025-06-01T12:00:00Z', '2020-01-01T00:00:00Z']) {
      const error = rejection(oneTime(at));
      expect(error.code).toBe('SCHEDULE_IN_PAST');
      expect(error.field).toBe('schedule.at');
      expect(error.message).toContain('is not after now (2025-06-01T12:00:00.000Z)');
    }
  });

  it('INVALID_SCHEDULE for values the zod shape should have stopped', () => {
    expect(rejection(oneTime('next tuesday')).field).toBe('schedule.at');
    expect(rejection(fixedRate(0)).field).toBe('schedule.intervalSeconds');
    expect(rejection(fixedRate(1.5)).code).toBe('INVALID_SCHEDULE');
    expect(rejection(fixedRate(60, 'soon')).field).toBe('schedule.startAt');
    expect(rejection(fixedDelay(-1)).field).toBe('schedule.delaySeconds');
  });
});
