/**
 * Task lifecycle: validation (schedule, time zone, calendar, job config), the first slot, and the
 * engine's reaction when a task is disabled, rescheduled or deleted.
 */
import { Concurrency, Retry } from '@kairos/protocol';
import type { Schedule, TaskCreate, TaskUpdate } from '@kairos/protocol';
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
import { isValidTimeZone, nextFires, scheduleWarnings, validateSchedule } from '../time/index.js';
import type { CalendarRule } from '../time/index.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { secretRefsIn } from '../secrets/named-secrets.js';
import type { Namespaces } from './namespaces.js';
import { checkChildTasks } from './child-tasks.js';

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
    const schedule = await this.checkSchedule(input.schedule, ns.id, now);
    const childTaskIds = await checkChildTasks(this.deps.store, ns.id, input.childTaskIds ?? []);
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
    const rescheduled =
      input.schedule !== undefined || (input.enabled !== undefined && input.enabled !== current.enabled);
    if (input.schedule !== undefined)
      patch.schedule = await this.checkSchedule(
        applySchedulePatch(current.schedule, input.schedule),
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
    const { warnings } = await this.checkConfig(ns.id, input.type, input.config);
    const schedule = await this.checkSchedule(input.schedule, ns.id, this.deps.clock.now());
    await checkChildTasks(this.deps.store, ns.id, input.childTaskIds ?? []);
    return { warnings: [...warnings, ...scheduleWarnings(schedule)] };
  }

  /** The config as reads show it: the job type may mask secrets (presentConfig). */
  shownConfig(task: TaskRecord): Record<string, unknown> {
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

  /** Validates a schedule and fills what it leaves implicit (a fixed-rate anchor). */
  async checkSchedule(
    schedule: Schedule,
    namespaceId: number,
    now: number,
    options: { allowPast?: boolean } = {},
  ): Promise<Schedule> {
    // A preview may look at the past: judge a one-time instant against the epoch, not now.
    validateSchedule(schedule, options.allowPast ? 0 : now);
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
    if (schedule.type === 'fixed_rate' && !schedule.startAt) {
      // Anchor the slots now, visibly: every later slot is startAt + k * interval (no drift).
      return { ...schedule, startAt: new Date(now + schedule.intervalSeconds * 1000).toISOString() };
    }
    return schedule;
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
