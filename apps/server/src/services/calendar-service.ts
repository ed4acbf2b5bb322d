/**
 * Calendars: named date lists in a time zone. When one changes, the tasks that use it get their
 * next slot recomputed (the planner also re-checks every slot against the current calendar).
 */
import type { z } from 'zod';
import type { CalendarCreate, CalendarUpdate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import { firstFireAt } from '../scheduler/planner.js';
import type { CalendarRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';
import { isValidTimeZone } from '@kairos/time';
import type { Namespaces } from './namespaces.js';

export class CalendarService {
  constructor(
    private readonly store: Store,
    private readonly namespaces: Namespaces,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  async get(id: number): Promise<CalendarRecord> {
    const calendar = await this.store.getCalendar(id);
    if (!calendar) throw new KairosError('CALENDAR_NOT_FOUND', `calendar ${id} does not exist`);
    return calendar;
  }

  async create(input: z.output<typeof CalendarCreate>): Promise<CalendarRecord> {
    const ns = await this.namespaces.resolve(input.namespace);
    checkZone(input.timezone);
    try {
      return await this.store.createCalendar({
        namespaceId: ns.id,
        name: input.name,
        timezone: input.timezone,
        dates: normalizeDates(input.dates),
      });
    } catch (error) {
      throw conflict(error, input.name);
    }
  }

  async update(id: number, input: z.output<typeof CalendarUpdate>): Promise<CalendarRecord> {
    await this.get(id);
    if (input.timezone !== undefined) checkZone(input.timezone);
    let updated: CalendarRecord | undefined;
    try {
      updated = await this.store.updateCalendar(id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
        ...(input.dates !== undefined ? { dates: normalizeDates(input.dates) } : {}),
      });
    } catch (error) {
      throw conflict(error, input.name ?? '');
    }
    await this.replanTasksUsing(updated!);
    this.events.emit('calendar:changed', { calendarId: id });
    return updated!;
  }

  async delete(id: number): Promise<void> {
    await this.get(id);
    try {
      await this.store.deleteCalendar(id);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError(
          'IN_USE',
          `calendar ${id} is used by a task's schedule: change those tasks first`,
        );
      }
      throw error;
    }
    this.events.emit('calendar:changed', { calendarId: id });
  }

  /**
   * What follows a calendar's change stored elsewhere (apply's transaction): the tasks using it
   * replanned, the change announced. `calendar` undefined: it was deleted.
   */
  async changedElsewhere(id: number, calendar: CalendarRecord | undefined): Promise<void> {
    if (calendar) await this.replanTasksUsing(calendar);
    this.events.emit('calendar:changed', { calendarId: id });
  }

  private async replanTasksUsing(calendar: CalendarRecord): Promise<void> {
    const now = this.clock.now();
    for (const task of await this.store.listTasksUsingCalendar(calendar.id)) {
      if (!task.enabled || task.schedule.type === 'fixed_delay') continue;
      const rule = {
        timezone: calendar.timezone,
        dates: new Set(calendar.dates),
        mode: task.schedule.calendar!.mode,
      };
      const updated = await this.store.updateTask(task.id, { nextFireAt: firstFireAt(task, now, rule) });
      if (updated) this.events.emit('task:changed', { task: updated });
    }
  }
}

export function checkZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) {
    throw new KairosError(
      'INVALID_TIMEZONE',
      `timezone: "${timezone}" is not an IANA time zone (e.g. Europe/Berlin)`,
      {
        field: 'timezone',
      },
    );
  }
}

export const normalizeDates = (dates: string[]): string[] => [...new Set(dates)].sort();

function conflict(error: unknown, name: string): unknown {
  if (error instanceof StoreConflictError) {
    return new KairosError('NAME_TAKEN', `a calendar named "${name}" already exists in this namespace`, {
      field: 'name',
    });
  }
  return error;
}
