/**
 * Calendars in memory for the planner, which runs synchronously inside the claim transaction.
 * Reloaded when one changes on this node and at least every RELOAD_MS (changes made on other
 * nodes of a cluster).
 */
import type { Clock } from '../clock.js';
import type { CalendarRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { CalendarRule } from '@kairos/time';

const RELOAD_MS = 10_000;

export class CalendarCache {
  private calendars = new Map<number, { record: CalendarRecord; dates: ReadonlySet<string> }>();
  private loadedAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  async refreshIfStale(): Promise<void> {
    if (this.clock.now() - this.loadedAt < RELOAD_MS) return;
    const next = new Map<number, { record: CalendarRecord; dates: ReadonlySet<string> }>();
    let cursor: string | undefined;
    do {
      const page = await this.store.listCalendars({}, { cursor, limit: 500 });
      for (const record of page.items) next.set(record.id, { record, dates: new Set(record.dates) });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    this.calendars = next;
    this.loadedAt = this.clock.now();
  }

  /** The rule a task's schedule refers to; undefined when none (or the calendar is gone). */
  ruleFor(task: Pick<TaskRecord, 'schedule'>): CalendarRule | undefined {
    const ref = task.schedule.calendar;
    if (!ref) return undefined;
    const entry = this.calendars.get(ref.id);
    if (!entry) return undefined;
    return { timezone: entry.record.timezone, dates: entry.dates, mode: ref.mode };
  }
}
