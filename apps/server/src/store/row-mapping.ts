/**
 * Rows to records and records to rows, in one place for both dialects: JSON columns are TEXT
 * (parsed here), booleans are 0/1 or true/false (read either), instants are epoch-ms numbers.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Budget, RunError, RunStatus, Schedule, TriggerType, Usage } from '@kairos/protocol';
import type {
  AppsTable,
  CalendarsTable,
  DbBool,
  NamespacesTable,
  RunLogsTable,
  RunsTable,
  TasksTable,
} from './db-schema.js';
import type {
  AppRecord,
  CalendarRecord,
  NamespaceRecord,
  RunLogRecord,
  RunRecord,
  TaskRecord,
} from './records.js';
import type { AppPatch, CalendarPatch, NewApp, NewCalendar, NewRun, NewTask, TaskPatch } from './store.js';

/** The statuses a run can still leave; every other status is terminal. */
export const NON_TERMINAL_STATUSES = ['scheduled', 'running'] as const;

export function toDbBool(value: boolean): number {
  return value ? 1 : 0;
}

export function fromDbBool(value: DbBool): boolean {
  return value === true || value === 1;
}

/** JSON text for a value; `undefined` becomes SQL NULL (read back as null). */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** JSON text, or SQL NULL for null and undefined (a `budget IS NOT NULL` filter finds only real ones). */
function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/**
 * Durations often come from performance.now() differences; the column is an integer (BIGINT on
 * PostgreSQL rejects a fraction), and sub-millisecond precision means nothing for a run.
 */
export function toDurationMs(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round(ms);
}

/** The calendar a schedule refers to, mirrored in tasks.calendar_id (see the migration). */
export function calendarIdOf(schedule: Schedule): number | null {
  return schedule.calendar?.id ?? null;
}

/** Stored on runs found `running` under an expired lease. */
// ---------------------------------------------------------------- rows to records

export function toNamespaceRecord(row: Selectable<NamespacesTable>): NamespaceRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    budget: (fromJson(row.budget ?? null) as Budget | null) ?? null,
    createdAt: row.created_at,
  };
}

export function toAppRecord(row: Selectable<AppsTable>): AppRecord {
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    appName: row.app_name,
    name: row.name,
    description: row.description,
    maxConcurrency: row.max_concurrency,
    budget: fromJson(row.budget) as Budget | null,
    accessTokenHash: row.access_token_hash,
    accessTokenHint: row.access_token_hint,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toCalendarRecord(row: Selectable<CalendarsTable>): CalendarRecord {
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    name: row.name,
    timezone: row.timezone,
    dates: JSON.parse(row.dates) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toTaskRecord(row: Selectable<TasksTable>): TaskRecord {
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    appId: row.app_id,
    name: row.name,
    description: row.description,
    type: row.type,
    config: JSON.parse(row.config) as TaskRecord['config'],
    schedule: JSON.parse(row.schedule) as TaskRecord['schedule'],
    timeoutSeconds: row.timeout_seconds,
    retry: JSON.parse(row.retry) as TaskRecord['retry'],
    concurrency: JSON.parse(row.concurrency) as TaskRecord['concurrency'],
    enabled: fromDbBool(row.enabled),
    // Absent unless set: most tasks have neither.
    ...(row.child_task_ids ? { childTaskIds: JSON.parse(row.child_task_ids) as number[] } : {}),
    ...(row.workflow_id != null ? { workflowId: row.workflow_id } : {}),
    nextFireAt: row.next_fire_at,
    priority: row.priority,
    poolId: row.pool_id,
    budget: fromJson(row.budget) as Budget | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    outputGate: row.output_gate ? (JSON.parse(row.output_gate) as TaskRecord['outputGate']) : null,
  };
}

export function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    appId: row.app_id,
    namespaceId: row.namespace_id,
    triggerType: row.trigger_type as TriggerType,
    status: row.status as RunStatus,
    slotAt: row.slot_at,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    attempt: row.attempt,
    retryOf: row.retry_of,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error) as RunError | null,
    executor: row.executor,
    usage: fromJson(row.usage) as Usage | null,
    idempotencyKey: row.idempotency_key,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    cancelRequestedAt: row.cancel_requested_at,
    effectAt: row.effect_at,
    priority: row.priority,
    // Absent unless set: a child task's run, a workflow's node run.
    ...(row.triggered_by != null ? { triggeredBy: row.triggered_by } : {}),
    ...(row.workflow_run_id != null
      ? {
          workflowRunId: row.workflow_run_id,
          workflowNode: row.workflow_node,
          workflowItem: row.workflow_item ?? null,
        }
      : {}),
    createdAt: row.created_at,
    replayOf: row.replay_of ?? null,
    versionPin: row.version_pin ?? null,
    checks: row.checks ? (JSON.parse(row.checks) as RunRecord['checks']) : null,
  };
}

export function toRunLogRecord(row: Selectable<RunLogsTable>): RunLogRecord {
  return {
    runId: row.run_id,
    seq: row.id,
    at: row.at,
    stream: row.stream as RunLogRecord['stream'],
    text: row.text,
  };
}

// ---------------------------------------------------------------- records to rows

export function appColumns(app: NewApp, now: number): Insertable<AppsTable> {
  return {
    namespace_id: app.namespaceId,
    app_name: app.appName,
    name: app.name,
    description: app.description,
    max_concurrency: app.maxConcurrency,
    budget: jsonOrNull(app.budget),
    access_token_hash: app.accessTokenHash,
    access_token_hint: app.accessTokenHint,
    created_at: now,
    updated_at: now,
  };
}

export function appPatchColumns(patch: AppPatch, now: number): Updateable<AppsTable> {
  return definedOnly({
    name: patch.name,
    description: patch.description,
    max_concurrency: patch.maxConcurrency,
    budget: patch.budget === undefined ? undefined : jsonOrNull(patch.budget),
    access_token_hash: patch.accessTokenHash,
    access_token_hint: patch.accessTokenHint,
    updated_at: now,
  });
}

export function calendarColumns(calendar: NewCalendar, now: number): Insertable<CalendarsTable> {
  return {
    namespace_id: calendar.namespaceId,
    name: calendar.name,
    timezone: calendar.timezone,
    dates: JSON.stringify(calendar.dates),
    created_at: now,
    updated_at: now,
  };
}

export function calendarPatchColumns(patch: CalendarPatch, now: number): Updateable<CalendarsTable> {
  return definedOnly({
    name: patch.name,
    timezone: patch.timezone,
    dates: patch.dates === undefined ? undefined : JSON.stringify(patch.dates),
    updated_at: now,
  });
}

export function taskColumns(task: NewTask, now: number): Insertable<TasksTable> {
  return {
    namespace_id: task.namespaceId,
    app_id: task.appId,
    name: task.name,
    description: task.description,
    type: task.type,
    config: JSON.stringify(task.config),
    schedule: JSON.stringify(task.schedule),
    calendar_id: calendarIdOf(task.schedule),
    timeout_seconds: task.timeoutSeconds,
    retry: JSON.stringify(task.retry),
    concurrency: JSON.stringify(task.concurrency),
    enabled: toDbBool(task.enabled),
    child_task_ids: childTaskIdsColumn(task.childTaskIds),
    workflow_id: task.workflowId ?? null,
    next_fire_at: task.nextFireAt,
    priority: task.priority ?? 0,
    pool_id: task.poolId ?? null,
    budget: jsonOrNull(task.budget),
    created_at: now,
    updated_at: now,
    output_gate: task.outputGate ? JSON.stringify(task.outputGate) : null,
  };
}

export function taskPatchColumns(patch: TaskPatch, now: number): Updateable<TasksTable> {
  const schedule = patch.schedule;
  return definedOnly({
    app_id: patch.appId,
    name: patch.name,
    description: patch.description,
    type: patch.type,
    config: patch.config === undefined ? undefined : JSON.stringify(patch.config),
    schedule: schedule === undefined ? undefined : JSON.stringify(schedule),
    calendar_id: schedule === undefined ? undefined : calendarIdOf(schedule),
    timeout_seconds: patch.timeoutSeconds,
    retry: patch.retry === undefined ? undefined : JSON.stringify(patch.retry),
    concurrency: patch.concurrency === undefined ? undefined : JSON.stringify(patch.concurrency),
    enabled: patch.enabled === undefined ? undefined : toDbBool(patch.enabled),
    child_task_ids: patch.childTaskIds === undefined ? undefined : childTaskIdsColumn(patch.childTaskIds),
    next_fire_at: patch.nextFireAt,
    output_gate:
      patch.outputGate === undefined ? undefined : patch.outputGate ? JSON.stringify(patch.outputGate) : null,
    priority: patch.priority,
    pool_id: patch.poolId,
    budget: patch.budget === undefined ? undefined : jsonOrNull(patch.budget),
    updated_at: now,
  });
}

/** The columns of a new run, in one fixed order (the hand-written INSERTs rely on it). */
export function runColumns(run: NewRun, now: number) {
  return {
    task_id: run.taskId,
    app_id: run.appId,
    namespace_id: run.namespaceId,
    trigger_type: run.triggerType,
    status: run.status,
    slot_at: run.slotAt,
    scheduled_at: run.scheduledAt,
    attempt: run.attempt,
    retry_of: run.retryOf,
    input: toJson(run.input),
    error: toJson(run.error ?? undefined),
    finished_at: run.finishedAt ?? null,
    idempotency_key: run.idempotencyKey ?? null,
    lease_owner: run.leaseOwner,
    lease_expires_at: run.leaseExpiresAt,
    priority: run.priority ?? 0,
    triggered_by: run.triggeredBy ?? null,
    workflow_run_id: run.workflowRunId ?? null,
    workflow_node: run.workflowNode ?? null,
    workflow_item: run.workflowItem ?? null,
    created_at: now,
    replay_of: run.replayOf ?? null,
    version_pin: run.versionPin ?? null,
  } satisfies Insertable<RunsTable>;
}

export type RunColumns = ReturnType<typeof runColumns>;
export const RUN_INSERT_COLUMNS = Object.keys(
  runColumns(
    {
      taskId: 0,
      appId: 0,
      namespaceId: 0,
      triggerType: 'manual',
      status: 'scheduled',
      slotAt: null,
      scheduledAt: 0,
      attempt: 0,
      retryOf: null,
      input: null,
      leaseOwner: null,
      leaseExpiresAt: null,
    },
    0,
  ),
) as (keyof RunColumns)[];

/** An empty list is stored as NULL (most tasks have no children). */
function childTaskIdsColumn(ids: number[] | undefined): string | null {
  return ids && ids.length > 0 ? JSON.stringify(ids) : null;
}

/** A patch's keys left undefined mean "unchanged": drop them so they are not written as NULL. */
function definedOnly<T extends Record<string, unknown>>(columns: T): T {
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined)) as T;
}
