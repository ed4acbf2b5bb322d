/**
 * Task lifecycle: validation (schedule, time zone, calendar, job config), the first slot, and the
 * engine's reaction when a task is disabled, rescheduled or deleted.
 */
import { Concurrency, Retry } from '@kairos/protocol';
import type { CalendarChoice, Schedule, ScheduleRequest, TaskCreate, TaskUpdate } from '@kairos/protocol';
import type { Clock } from '../clock.js';
import { KairosError } from '../errors.js';
import type { EventBus } from '../events.js';
import { parseJobConfig } from '../job-types/job-config.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunEngine } from '../runs/run-engine.js';
import { firstFireAt, fireContextFor } from '../scheduler/planner.js';
import { applySchedulePatch } from './schedule-patch.js';
import type { AppRecord, TaskRecord } from '../store/records.js';
import type { Store, TaskPatch } from '../store/store.js';
import { isValidTimeZone, nextFires, ScheduleError, scheduleWarnings, validateSchedule } from '@kairos/time';
import type { CalendarRule } from '@kairos/time';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { secretRefsIn } from '../secrets/named-secrets.js';
import type { Namespaces } from './namespaces.js';
import { checkChildTasks } from './child-tasks.js';
import { checkOutputGate } from '../gates/gate-validation.js';

export interface TaskServiceDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  engine: RunEngine;
  jobTypes: JobTypeRegistry;
  namespaces: Namespaces;
  /** Refuses a config whose destinations the namespace's outbound policy refuses (absent: no check). */
  guards?: GuardSource | undefined;
  /** Named secrets a config may refer to (`{"$secret": "name"}`); absent: references are not checked. */
  secrets?: { exists(namespaceId: number, name: string): Promise<boolean> } | undefined;
}

export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  async get(id: number): Promise<TaskRecord> {
    const task = await this.deps.store.getTask(id);
    if (!task) throw new KairosError('TASK_NOT_FOUND', `task ${id} does not exist`);
    return task;
  }

  async create(input: TaskCreate): Promise<{ task: TaskRecord; warnings: string[] }> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    const app = await this.resolveApp(ns.id, input.app);
    const now = this.deps.clock.now();
    const { config, warnings } = await this.checkConfig(ns.id, input.type, input.config);
    const schedule = await this.checkSchedule(await this.namedCalendar(input.schedule, ns.id), ns.id, now);
    const childTaskIds = await checkChildTasks(this.deps.store, ns.id, input.childTaskIds ?? []);
    await checkOutputGate(input.outputGate, ns.id, (id) => this.deps.store.getTask(id));
    const task = await this.deps.store.createTask({
      namespaceId: ns.id,
      appId: app.id,
      name: input.name,
      description: input.description ?? null,
      type: input.type,
      config,
      schedule,
      timeoutSeconds: input.timeoutSeconds ?? null,
      retry: input.retry ?? Retry.parse({}),
      concurrency: input.concurrency ?? Concurrency.parse({}),
      enabled: input.enabled,
      childTaskIds,
      nextFireAt: input.enabled ? await this.firstFire(schedule, now) : null,
      outputGate: input.outputGate ?? null,
      priority: input.priority,
      poolId: await this.resolvePool(ns.id, input.pool),
      budget: input.budget ?? null,
    });
    this.deps.events.emit('task:changed', { task });
    return { task, warnings: [...warnings, ...scheduleWarnings(schedule)] };
  }

  async update(id: number, input: TaskUpdate): Promise<{ task: TaskRecord; warnings: string[] }> {
    const current = await this.get(id);
    const now = this.deps.clock.now();
    const patch: TaskPatch = {};
    let warnings: string[] = [];
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.app !== undefined) patch.appId = (await this.resolveApp(current.namespaceId, input.app)).id;
    if (input.type !== undefined || input.config !== undefined) {
      const checked = await this.checkConfig(
        current.namespaceId,
        input.type ?? current.type,
        input.config ?? current.config,
        current,
      );
      patch.type = input.type ?? current.type;
      patch.config = checked.config;
      warnings = checked.warnings;
    }
    if (input.timeoutSeconds !== undefined) patch.timeoutSeconds = input.timeoutSeconds;
    if (input.retry !== undefined) patch.retry = input.retry;
    if (input.concurrency !== undefined) patch.concurrency = input.concurrency;
    if (input.childTaskIds !== undefined) {
      patch.childTaskIds = await checkChildTasks(
        this.deps.store,
        current.namespaceId,
        input.childTaskIds,
        id,
      );
    }
    if (input.outputGate !== undefined) {
      await checkOutputGate(input.outputGate, current.namespaceId, (t) => this.deps.store.getTask(t), id);
      patch.outputGate = input.outputGate;
    }
    if (input.priority !== undefined) patch.priority = input.priority;
    if (input.pool !== undefined) patch.poolId = await this.resolvePool(current.namespaceId, input.pool);
    if (input.budget !== undefined) patch.budget = input.budget;
    const rescheduled =
      input.schedule !== undefined || (input.enabled !== undefined && input.enabled !== current.enabled);
    if (input.schedule !== undefined)
      patch.schedule = await this.checkSchedule(
        applySchedulePatch(current.schedule, {
          ...input.schedule,
          calendar:
            input.schedule.calendar && (await this.calendarRef(input.schedule.calendar, current.namespaceId)),
        }),
        current.namespaceId,
        now,
      );
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (rescheduled) {
      const enabled = patch.enabled ?? current.enabled;
      patch.nextFireAt = enabled ? await this.firstFire(patch.schedule ?? current.schedule, now) : null;
      await this.dropPlannedRuns(id, enabled ? 'the task was rescheduled' : 'the task was disabled');
    }
    const task = await this.deps.store.updateTask(id, patch);
    if (!task) throw new KairosError('TASK_NOT_FOUND', `task ${id} does not exist`);
    this.deps.events.emit('task:changed', { task, rescheduled });
    if (patch.schedule) warnings = [...warnings, ...scheduleWarnings(patch.schedule)];
    return { task, warnings };
  }

  /**
   * Checks a task as create would (namespace, app, config against its target, schedule) without
   * saving it. Throws the KairosError create would throw; answers create's warnings.
   */
  async validate(input: TaskCreate): Promise<{ warnings: string[] }> {
    const ns = await this.deps.namespaces.resolve(input.namespace);
    await this.resolveApp(ns.id, input.app);
    await this.resolvePool(ns.id, input.pool);
    const { warnings } = await this.checkConfig(ns.id, input.type, input.config);
    const schedule = await this.checkSchedule(
      await this.namedCalendar(input.schedule, ns.id),
      ns.id,
      this.deps.clock.now(),
    );
    await checkChildTasks(this.deps.store, ns.id, input.childTaskIds ?? []);
    await checkOutputGate(input.outputGate, ns.id, (id) => this.deps.store.getTask(id));
    return { warnings: [...warnings, ...scheduleWarnings(schedule)] };
  }

  /** The config as reads show it: the job type may mask secrets (presentConfig). */
  shownConfig(task: Pick<TaskRecord, 'type' | 'config'>): Record<string, unknown> {
    const present = this.deps.jobTypes.get(task.type)?.presentConfig;
    return present ? present(task.config) : task.config;
  }

  setEnabled(id: number, enabled: boolean): Promise<{ task: TaskRecord; warnings: string[] }> {
    return this.update(id, { enabled });
  }

  async delete(id: number): Promise<void> {
    await this.get(id);
    this.deps.engine.forgetTask(id);
    const active = await this.deps.store.listActiveRuns(id);
    for (const run of active)
      if (run.status === 'running') await this.deps.engine.cancel(run.id).catch(() => undefined);
    await this.deps.store.deleteTask(id);
    this.deps.events.emit('task:deleted', { taskId: id });
  }

  /** The next `count` fires of a schedule strictly after `from`, calendar and DST applied. */
  async preview(schedule: Schedule, namespaceId: number, from: number, count: number): Promise<number[]> {
    const normalized = await this.checkSchedule(schedule, namespaceId, from, { allowPast: true });
    const calendar = await this.calendarRule(normalized);
    return nextFires(
      normalized,
      from,
      count,
      fireContextFor({ schedule: normalized, createdAt: from }, calendar),
    );
  }

  async previewTask(task: TaskRecord, from: number, count: number): Promise<number[]> {
    const calendar = await this.calendarRule(task.schedule);
    return nextFires(task.schedule, from, count, fireContextFor(task, calendar));
  }

  // -------------------------------------------------------------------------------------

  async resolveApp(namespaceId: number, ref: string | number): Promise<AppRecord> {
    const app =
      typeof ref === 'number'
        ? await this.deps.store.getApp(ref)
        : await this.deps.store.getAppByName(namespaceId, ref);
    if (!app || app.namespaceId !== namespaceId) {
      throw new KairosError('VALIDATION_ERROR', `app: no app ${JSON.stringify(ref)} in this namespace`, {
        field: 'app',
      });
    }
    return app;
  }

  /** A pool named by a task must exist in its namespace: a 400 naming `pool` otherwise. */
  private async resolvePool(namespaceId: number, name: string | null | undefined): Promise<number | null> {
    if (name === null || name === undefined) return null;
    const pool = await this.deps.store.getPoolByName(namespaceId, name);
    if (!pool) {
      throw new KairosError(
        'VALIDATION_ERROR',
        `pool: no pool "${name}" in this namespace (create it with POST /api/v1/pools)`,
        { field: 'pool' },
      );
    }
    return pool.id;
  }

  /**
   * Validates a config and turns it into its stored form (prepareConfig: secrets encrypted; a
   * masked secret sent back keeps the stored one of `previous`, same type only).
   */
  async checkConfig(
    namespaceId: number,
    type: string,
    raw: Record<string, unknown>,
    previous?: TaskRecord,
  ): Promise<{ config: Record<string, unknown>; warnings: string[] }> {
    const jobType = this.deps.jobTypes.require(type);
    const parsed = parseJobConfig(jobType, raw) as Record<string, unknown>;
    await this.checkDestinations(namespaceId, jobType.destinations?.(parsed) ?? []);
    await this.checkSecretRefs(namespaceId, parsed);
    const config = jobType.prepareConfig
      ? (jobType.prepareConfig(parsed, previous?.type === type ? previous.config : undefined) as Record<
          string,
          unknown
        >)
      : parsed;
    const warnings = (await jobType.validate?.(config)) ?? [];
    return { config, warnings };
  }

  /** A destination the namespace's outbound policy refuses is a 400 naming its field (no DNS: see outbound-policy.ts). */
  private async checkDestinations(namespaceId: number, destinations: { field: string; url: string }[]) {
    if (destinations.length === 0 || !this.deps.guards) return;
    const guard = await this.deps.guards.guardNow(namespaceId);
    for (const { field, url } of destinations) {
      const problem = guard.urlProblem(url);
      if (problem !== undefined) {
        throw new KairosError('DESTINATION_REFUSED', `${field}: ${problem}`, { field });
      }
    }
  }

  /** A `{"$secret": name}` the namespace does not have is a 400 naming the field. */
  private async checkSecretRefs(namespaceId: number, config: Record<string, unknown>) {
    if (!this.deps.secrets) return;
    for (const { field, name } of secretRefsIn(config, 'config')) {
      if (!(await this.deps.secrets.exists(namespaceId, name))) {
        throw new KairosError(
          'VALIDATION_ERROR',
          `${field}: secret "${name}" does not exist in this namespace (create it with POST /api/v1/secrets)`,
          { field },
        );
      }
    }
  }

  /** The schedule with its calendar named by id (a name is looked up in the namespace). */
  private async namedCalendar(schedule: ScheduleRequest, namespaceId: number): Promise<Schedule> {
    if (!schedule.calendar) return schedule as Schedule;
    return { ...schedule, calendar: await this.calendarRef(schedule.calendar, namespaceId) };
  }

  /** `{name, mode}` (or `"name"`) as `{id, mode}`; an unknown name is a 400 on `schedule.calendar`. */
  private async calendarRef(
    choice: CalendarChoice,
    namespaceId: number,
  ): Promise<{ id: number; mode: 'exclude' | 'include' }> {
    if ('id' in choice) return choice;
    const calendar = await this.deps.store.getCalendarByName(namespaceId, choice.name);
    if (!calendar) {
      throw new KairosError(
        'VALIDATION_ERROR',
        `schedule.calendar: no calendar named "${choice.name}" in this namespace`,
        { field: 'schedule.calendar' },
      );
    }
    return { id: calendar.id, mode: choice.mode };
  }

  /** Validates a schedule and fills what it leaves implicit (a fixed-rate anchor). */
  async checkSchedule(
    schedule: Schedule,
    namespaceId: number,
    now: number,
    options: { allowPast?: boolean } = {},
  ): Promise<Schedule> {
    // A preview may look at the past: judge a one-time instant against the epoch, not now.
    checkedSchedule(schedule, options.allowPast ? 0 : now);
    if (schedule.calendar) {
      const calendar = await this.deps.store.getCalendar(schedule.calendar.id);
      if (!calendar || calendar.namespaceId !== namespaceId) {
        throw new KairosError(
          'VALIDATION_ERROR',
          `schedule.calendar.id: calendar ${schedule.calendar.id} does not exist in this namespace`,
          {
            field: 'schedule.calendar.id',
          },
        );
      }
    }
    return anchored(schedule, now);
  }

  /**
   * Validates a schedule whose calendar is already known to exist (apply: perhaps one created
   * by the same transaction) and fills what it leaves implicit (a fixed-rate anchor).
   */
  normalizeSchedule(schedule: Schedule, now: number): Schedule {
    checkedSchedule(schedule, now);
    return anchored(schedule, now);
  }

  /** The first slot of a schedule from `now` under a calendar given by value (apply). */
  firstFireWith(schedule: Schedule, now: number, calendar: CalendarRule | undefined): number | null {
    return firstFireAt({ schedule, createdAt: now }, now, calendar);
  }

  /**
   * What follows a task's change stored by someone else than this service (apply's transaction):
   * the old schedule's planned slots dropped when it was rescheduled, and the change announced.
   */
  async changedElsewhere(task: TaskRecord, rescheduled: boolean): Promise<void> {
    if (rescheduled) {
      await this.dropPlannedRuns(
        task.id,
        task.enabled ? 'the task was rescheduled' : 'the task was disabled',
      );
    }
    this.deps.events.emit('task:changed', { task, rescheduled });
  }

  /** Cancels a task's running runs, before a delete stored elsewhere (apply's prune). */
  async stopRuns(id: number): Promise<void> {
    const active = await this.deps.store.listActiveRuns(id);
    for (const run of active)
      if (run.status === 'running') await this.deps.engine.cancel(run.id).catch(() => undefined);
  }

  /** What follows a task's delete stored elsewhere: its planned slots forgotten, the delete announced. */
  deletedElsewhere(id: number): void {
    this.deps.engine.forgetTask(id);
    this.deps.events.emit('task:deleted', { taskId: id });
  }

  private async calendarRule(schedule: Schedule): Promise<CalendarRule | undefined> {
    if (!schedule.calendar) return undefined;
    const calendar = await this.deps.store.getCalendar(schedule.calendar.id);
    if (!calendar || !isValidTimeZone(calendar.timezone)) return undefined;
    return { timezone: calendar.timezone, dates: new Set(calendar.dates), mode: schedule.calendar.mode };
  }

  async firstFire(schedule: Schedule, now: number): Promise<number | null> {
    return firstFireAt({ schedule, createdAt: now }, now, await this.calendarRule(schedule));
  }

  /**
   * Planned slots of the old schedule must not fire: cancel those this node holds (also called
   * when another node rescheduled or disabled the task, cluster/wire-changes.ts).
   */
  dropPlannedRuns(taskId: number, why: string): Promise<void> {
    return this.deps.engine.cancelPlanned(taskId, why);
  }
}

/** A fixed-rate schedule without a start is anchored now, visibly: every later slot is startAt + k * interval (no drift). */
/** validateSchedule's ScheduleError as the API's error (the same code, field and reason). */
function checkedSchedule(schedule: Schedule, now: number): void {
  try {
    validateSchedule(schedule, now);
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    throw new KairosError(error.code, error.message, {
      field: error.field,
      details: error.details,
      cause: error.cause,
    });
  }
}

function anchored(schedule: Schedule, now: number): Schedule {
  if (schedule.type === 'fixed_rate' && !schedule.startAt) {
    return { ...schedule, startAt: new Date(now + schedule.intervalSeconds * 1000).toISOString() };
  }
  return schedule;
}
