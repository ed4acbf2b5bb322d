/**
 * Calendars in the store: create, read, list, update and delete, with the uniqueness of a
 * calendar's name in its namespace and the foreign key of the tasks whose schedule uses it
 * turned into StoreConflictError.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { decodeCursor, toPage } from './pagination.js';
import { calendarColumns, calendarPatchColumns, toCalendarRecord } from './row-mapping.js';
import {
  StoreConflictError,
  type CalendarPatch,
  type CalendarRecord,
  type NewCalendar,
  type Page,
  type PageRequest,
  type Store,
} from './store.js';
import { type NamespaceFilter, namespaceIdList } from './namespace-scope.js';

export type CalendarStore = Pick<
  Store,
  | 'createCalendar'
  | 'getCalendar'
  | 'getCalendarByName'
  | 'listCalendars'
  | 'updateCalendar'
  | 'deleteCalendar'
>;

class CalendarQueries implements CalendarStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async createCalendar(calendar: NewCalendar): Promise<CalendarRecord> {
    const row = await mapConflict(
      'unique',
      () => calendarNameTaken(calendar.name),
      () =>
        this.db
          .insertInto('calendars')
          .values(calendarColumns(calendar, this.now()))
          .returningAll()
          .executeTakeFirstOrThrow(),
    );
    return toCalendarRecord(row);
  }

  async getCalendar(id: number): Promise<CalendarRecord | undefined> {
    const row = await this.db.selectFrom('calendars').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCalendarRecord(row);
  }

  async getCalendarByName(namespaceId: number, name: string): Promise<CalendarRecord | undefined> {
    const row = await this.db
      .selectFrom('calendars')
      .selectAll()
      .where('namespace_id', '=', namespaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toCalendarRecord(row);
  }

  async listCalendars(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<CalendarRecord>> {
    const before = decodeCursor(page.cursor);
    let query = this.db.selectFrom('calendars').selectAll();
    if (filter.namespaceId !== undefined)
      query = query.where('namespace_id', 'in', namespaceIdList(filter.namespaceId));
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(toCalendarRecord), page.limit);
  }

  async updateCalendar(id: number, patch: CalendarPatch): Promise<CalendarRecord | undefined> {
    const row = await mapConflict(
      'unique',
      () => calendarNameTaken(patch.name ?? ''),
      () =>
        this.db
          .updateTable('calendars')
          .set(calendarPatchColumns(patch, this.now()))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
    );
    return row && toCalendarRecord(row);
  }

  async deleteCalendar(id: number): Promise<boolean> {
    // tasks.calendar_id mirrors schedule.calendar.id, so its foreign key refuses the delete.
    const result = await mapConflict(
      'foreign_key',
      () =>
        new StoreConflictError(
          `Calendar ${id} is used by the schedule of at least one task: change those schedules first`,
          'tasks_calendar_id_fkey',
        ),
      () => this.db.deleteFrom('calendars').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

function calendarNameTaken(name: string): StoreConflictError {
  return new StoreConflictError(
    `Calendar "${name}" exists already in this namespace`,
    'calendars_namespace_name_key',
  );
}

export function calendarOperations(parts: { db: Kysely<Database>; now: () => number }): CalendarStore {
  const calendars = new CalendarQueries(parts.db, parts.now);
  return {
    createCalendar: (calendar) => calendars.createCalendar(calendar),
    getCalendar: (id) => calendars.getCalendar(id),
    getCalendarByName: (namespaceId, name) => calendars.getCalendarByName(namespaceId, name),
    listCalendars: (filter, page) => calendars.listCalendars(filter, page),
    updateCalendar: (id, patch) => calendars.updateCalendar(id, patch),
    deleteCalendar: (id) => calendars.deleteCalendar(id),
  };
}
