/**
 * Records as the API shows them: ISO-8601 UTC instants, namespace names, masked secrets.
 */
import type { App, Calendar, Run, RunLogEntry, Task } from '@kairos/protocol';
import type { AppRecord, CalendarRecord, RunLogRecord, RunRecord, TaskRecord } from '../store/records.js';
import { maskToken } from '../services/secrets.js';
import { APP_TOKEN_PREFIX } from '../services/app-service.js';

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function presentTask(task: TaskRecord, namespace: string, appName: string): Task {
  return {
    id: task.id,
    namespace,
    appId: task.appId,
    appName,
    name: task.name,
    description: task.description,
    type: task.type,
    config: task.config,
    schedule: task.schedule,
    timeoutSeconds: task.timeoutSeconds,
    retry: task.retry,
    concurrency: task.concurrency,
    enabled: task.enabled,
    childTaskIds: task.childTaskIds ?? [],
    nextFireAt: isoOrNull(task.nextFireAt),
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
  };
}

export function presentRun(run: RunRecord, namespace: string): Run {
  return {
    id: run.id,
    taskId: run.taskId,
    appId: run.appId,
    namespace,
    triggerType: run.triggerType,
    status: run.status,
    scheduledAt: iso(run.scheduledAt),
    startedAt: isoOrNull(run.startedAt),
    effectAt: isoOrNull(run.effectAt),
    finishedAt: isoOrNull(run.finishedAt),
    durationMs: run.durationMs,
    attempt: run.attempt,
    retryOf: run.retryOf,
    input: run.input,
    output: run.output,
    error: run.error,
    executor: run.executor,
    usage: run.usage,
    ...(run.triggeredBy != null ? { triggeredBy: run.triggeredBy } : {}),
    ...(run.workflowRunId != null
      ? {
          workflowRunId: run.workflowRunId,
          workflowNode: run.workflowNode,
          workflowItem: run.workflowItem ?? null,
        }
      : {}),
    createdAt: iso(run.createdAt),
  };
}

/** `accessToken` in full only right after creation or rotation. */
export function presentApp(app: AppRecord, namespace: string, accessToken?: string): App {
  return {
    id: app.id,
    namespace,
    appName: app.appName,
    name: app.name,
    description: app.description,
    maxConcurrency: app.maxConcurrency,
    accessToken: accessToken ?? maskToken(APP_TOKEN_PREFIX, app.accessTokenHint),
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}

export function presentCalendar(calendar: CalendarRecord, namespace: string): Calendar {
  return {
    id: calendar.id,
    namespace,
    name: calendar.name,
    timezone: calendar.timezone,
    dates: calendar.dates,
    createdAt: iso(calendar.createdAt),
    updatedAt: iso(calendar.updatedAt),
  };
}

export const presentLog = (entry: RunLogRecord): RunLogEntry => ({
  seq: entry.seq,
  at: iso(entry.at),
  stream: entry.stream,
  text: entry.text,
});
