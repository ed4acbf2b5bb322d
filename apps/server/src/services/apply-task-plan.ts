/**
 * Apply's decision for one task of a file: create it, change some fields, or leave it, checked
 * as `POST /tasks` checks a task (TaskService: config against its job type, destinations and
 * named secrets; the schedule; the pool; the output gate) but against the apps, calendars and
 * tasks the namespace will have once the whole apply is stored (some created by the same
 * transaction): a child task is named, and may be a task of the same files.
 */
import { Concurrency, Retry } from '@kairos/protocol';
import type { ApplyChange, FieldChange, OutputGate, Schedule, TaskDefinition } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { DefinitionRef, DefinitionWrites } from '../store/definition-writes.js';
import type { TaskRecord } from '../store/records.js';
import type { TaskPatch } from '../store/store.js';
import { scheduleWarnings } from '@kairos/time';
import { clearSecrets, fieldChanges, keepReferencedSecrets, within } from './definition-diff.js';
import type { TaskService } from './task-service.js';

/** What a namespace holds once the apply is stored, by name. */
export interface NamespaceCatalog {
  namespaceId: number;
  namespace: string;
  apps: Map<string, DefinitionRef>;
  calendars: Map<string, { ref: DefinitionRef; timezone: string; dates: string[] }>;
  /** The tasks the namespace will have: kept on the server, or in the files (perhaps created). */
  tasks: Map<string, DefinitionRef>;
  /** The namespace's pools (apply writes none). */
  pools: Map<string, number>;
  /** The stored ones, for stored tasks' references. */
  appNames: Map<number, string>;
  calendarNames: Map<number, string>;
  taskNames: Map<number, string>;
  poolNames: Map<number, string>;
  /** Checks an output gate as the task routes do (its judge a Dify task of the namespace). */
  checkGate: (gate: OutputGate | null | undefined, selfId: number | undefined) => Promise<void>;
}

export interface TaskDecision {
  change: ApplyChange;
  warnings: { field: string; message: string }[];
  /** Set when the task is created or changed; `rescheduled` when its next slot is recomputed. */
  write?:
    | { kind: 'create'; entry: DefinitionWrites['createTasks'][number] }
    | { kind: 'update'; entry: DefinitionWrites['updateTasks'][number]; rescheduled: boolean };
}

type Mode = 'exclude' | 'include';

export async function planTask(
  tasks: TaskService,
  catalog: NamespaceCatalog,
  def: TaskDefinition,
  field: string,
  current: TaskRecord | undefined,
  now: number,
): Promise<TaskDecision> {
  const app = catalog.apps.get(def.app);
  if (!app) {
    throw new KairosError(
      'VALIDATION_ERROR',
      `${field}.app: no app "${def.app}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      { field: `${field}.app` },
    );
  }
  const calendar = calendarOf(catalog, def, field);
  const children = childrenOf(catalog, def, field);
  const poolId = poolOf(catalog, def, field);
  await within(field, () => catalog.checkGate(def.outputGate, current?.id));
  const { calendar: _choice, ...bare } = def.schedule;
  let wanted = bare as Schedule;
  if (wanted.type === 'fixed_rate' && !wanted.startAt && current?.schedule.type === 'fixed_rate') {
    // No anchor in the file: keep the stored one rather than re-anchor the slots at every apply.
    wanted = { ...wanted, startAt: current.schedule.startAt };
  }

  const shownBefore = current ? tasks.shownConfig(current) : undefined;
  const written = await within(field, () =>
    keepReferencedSecrets(
      def.config,
      current?.type === def.type ? shownBefore : undefined,
      'config',
      def.name,
    ),
  );
  const checked = await within(field, () =>
    tasks.checkConfig(catalog.namespaceId, def.type, written, current),
  );
  const shown = tasks.shownConfig({ type: def.type, config: checked.config });

  const wantedView = {
    description: def.description ?? null,
    app: def.app,
    type: def.type,
    config: shown,
    schedule: calendar ? { ...wanted, calendar: { name: calendar.name, mode: calendar.mode } } : wanted,
    timeoutSeconds: def.timeoutSeconds ?? null,
    retry: def.retry ?? Retry.parse({}),
    concurrency: def.concurrency ?? Concurrency.parse({}),
    enabled: def.enabled,
    childTasks: [...new Set(def.childTasks ?? [])],
    outputGate: def.outputGate ?? null,
    priority: def.priority,
    pool: def.pool ?? null,
    budget: def.budget ?? null,
  };
  const base = { namespace: catalog.namespace, kind: 'task' as const, name: def.name };
  let changes: FieldChange[] = [];
  if (current) {
    changes = fieldChanges(storedView(catalog, current, shownBefore!), wantedView);
    for (const path of clearSecrets(written, shown, 'config')) {
      if (!changes.some((c) => c.field === path)) changes.push({ field: path, to: '(a value in clear)' });
    }
    if (changes.length === 0) return { change: { ...base, action: 'unchanged', fields: [] }, warnings: [] };
  }

  const changed = new Set(changes.map((c) => c.field.split('.')[0]));
  const scheduleNeeded = !current || changed.has('schedule');
  const normalized = scheduleNeeded
    ? await within(field, () => tasks.normalizeSchedule(wanted, now))
    : undefined;
  const schedule: Schedule | undefined = normalized && {
    ...normalized,
    ...(calendar
      ? { calendar: { id: 'id' in calendar.ref ? calendar.ref.id : 0, mode: calendar.mode } }
      : {}),
  };
  const refs = {
    ...('created' in app ? { app } : {}),
    ...(calendar && 'created' in calendar.ref ? { calendar: calendar.ref } : {}),
  };
  // A child created by the same write has its id only once inserted: the write puts them in.
  const childIds = children.map((ref) => ('id' in ref ? ref.id : 0));
  const childRefs = children.some((ref) => 'created' in ref) ? { children } : {};
  const rule = calendar && {
    timezone: calendar.timezone,
    dates: new Set(calendar.dates),
    mode: calendar.mode,
  };
  const warnings = [...checked.warnings, ...(schedule ? scheduleWarnings(schedule) : [])].map((message) => ({
    field,
    message,
  }));
  const appId = 'id' in app ? app.id : 0;

  if (!current) {
    return {
      change: { ...base, action: 'create', fields: [] },
      warnings,
      write: {
        kind: 'create',
        entry: {
          task: {
            namespaceId: catalog.namespaceId,
            appId,
            name: def.name,
            description: wantedView.description,
            type: def.type,
            config: checked.config,
            schedule: schedule!,
            timeoutSeconds: wantedView.timeoutSeconds,
            retry: wantedView.retry,
            concurrency: wantedView.concurrency,
            enabled: def.enabled,
            nextFireAt: def.enabled ? tasks.firstFireWith(schedule!, now, rule) : null,
            childTaskIds: childIds,
            outputGate: wantedView.outputGate,
            priority: def.priority,
            poolId,
            budget: wantedView.budget,
          },
          refs: { ...refs, ...childRefs },
        },
      },
    };
  }

  const patch: TaskPatch = {};
  if (changed.has('description')) patch.description = wantedView.description;
  if (changed.has('app')) patch.appId = appId;
  if (changed.has('type') || changed.has('config')) {
    patch.type = def.type;
    patch.config = checked.config;
  }
  if (schedule) patch.schedule = schedule;
  if (changed.has('timeoutSeconds')) patch.timeoutSeconds = wantedView.timeoutSeconds;
  if (changed.has('retry')) patch.retry = wantedView.retry;
  if (changed.has('concurrency')) patch.concurrency = wantedView.concurrency;
  if (changed.has('enabled')) patch.enabled = def.enabled;
  if (changed.has('childTasks')) patch.childTaskIds = childIds;
  if (changed.has('outputGate')) patch.outputGate = wantedView.outputGate;
  if (changed.has('priority')) patch.priority = def.priority;
  if (changed.has('pool')) patch.poolId = poolId;
  if (changed.has('budget')) patch.budget = wantedView.budget;
  const rescheduled = changed.has('schedule') || changed.has('enabled');
  if (rescheduled) {
    const storedRule = current.schedule.calendar
      ? catalogRule(catalog, current.schedule.calendar)
      : undefined;
    patch.nextFireAt = def.enabled
      ? tasks.firstFireWith(schedule ?? current.schedule, now, schedule ? rule : storedRule)
      : null;
  }
  return {
    change: { ...base, action: 'update', fields: changes },
    warnings,
    write: {
      kind: 'update',
      entry: {
        id: current.id,
        patch,
        refs: {
          ...(changed.has('app') || schedule ? refs : {}),
          ...(changed.has('childTasks') ? childRefs : {}),
        },
      },
      rescheduled,
    },
  };
}

/** A stored task in the file's shape: its app and calendar by name, its config as reads show it. */
function storedView(catalog: NamespaceCatalog, task: TaskRecord, shown: Record<string, unknown>) {
  const { calendar, ...schedule } = task.schedule;
  return {
    description: task.description,
    app: catalog.appNames.get(task.appId) ?? String(task.appId),
    type: task.type,
    config: shown,
    schedule: calendar
      ? {
          ...schedule,
          calendar: {
            name: catalog.calendarNames.get(calendar.id) ?? String(calendar.id),
            mode: calendar.mode,
          },
        }
      : schedule,
    timeoutSeconds: task.timeoutSeconds,
    retry: task.retry,
    concurrency: task.concurrency,
    enabled: task.enabled,
    childTasks: (task.childTaskIds ?? []).map((id) => catalog.taskNames.get(id) ?? String(id)),
    outputGate: task.outputGate ?? null,
    priority: task.priority ?? 0,
    pool: task.poolId == null ? null : (catalog.poolNames.get(task.poolId) ?? String(task.poolId)),
    budget: task.budget ?? null,
  };
}

/** The child tasks by name, among the tasks the namespace will have; never the task itself. */
function childrenOf(catalog: NamespaceCatalog, def: TaskDefinition, field: string): DefinitionRef[] {
  const names = [...new Set(def.childTasks ?? [])];
  return names.map((name) => {
    const at = `${field}.childTasks.${def.childTasks!.indexOf(name)}`;
    const ref = catalog.tasks.get(name);
    if (name === def.name) throw refused(at, `task "${name}" cannot be its own child`);
    if (!ref) {
      throw refused(
        at,
        `no task "${name}" in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      );
    }
    return ref;
  });
}

/** The pool by name: it must exist in the namespace (apply writes no pools). */
function poolOf(catalog: NamespaceCatalog, def: TaskDefinition, field: string): number | null {
  if (def.pool === null || def.pool === undefined) return null;
  const id = catalog.pools.get(def.pool);
  if (id === undefined) {
    throw refused(
      `${field}.pool`,
      `no pool "${def.pool}" in namespace ${catalog.namespace} (apply writes no pools)`,
    );
  }
  return id;
}

const refused = (field: string, message: string) =>
  new KairosError('VALIDATION_ERROR', `${field}: ${message}`, { field });

/**
 * The schedule's calendar (a task's or a workflow's), by name among those the namespace will have
 * (`{id}` names a stored one).
 */
export function calendarOf(
  catalog: NamespaceCatalog,
  def: { schedule: Pick<TaskDefinition['schedule'], 'calendar'> },
  field: string,
) {
  const choice = def.schedule.calendar;
  if (!choice) return undefined;
  const name = 'id' in choice ? catalog.calendarNames.get(choice.id) : choice.name;
  const found = name === undefined ? undefined : catalog.calendars.get(name);
  if (name === undefined || !found) {
    const what = 'id' in choice ? `calendar ${choice.id}` : `calendar "${choice.name}"`;
    throw new KairosError(
      'VALIDATION_ERROR',
      `${field}.schedule.calendar: no ${what} in namespace ${catalog.namespace}, neither in the files nor kept on the server`,
      { field: `${field}.schedule.calendar` },
    );
  }
  return { name, mode: choice.mode as Mode, ...found };
}

function catalogRule(catalog: NamespaceCatalog, ref: { id: number; mode: Mode }) {
  const name = catalog.calendarNames.get(ref.id);
  const found = name === undefined ? undefined : catalog.calendars.get(name);
  return found && { timezone: found.timezone, dates: new Set(found.dates), mode: ref.mode };
}
