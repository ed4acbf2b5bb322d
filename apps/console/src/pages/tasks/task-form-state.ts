/**
 * The task form's state and its conversions: from a saved task (edit, clone), to the API's
 * creation body. Job config is split into the fields the form shows for the type and the rest,
 * edited as JSON, so no setting of a type is out of reach.
 */
import type { ScheduleInput, Task, TaskCreateInput } from '@kairos/protocol';

export const JOB_TYPES = ['http', 'script', 'executor', 'dify_workflow'] as const;
export const SCHEDULE_TYPES = ['cron', 'fixed_rate', 'fixed_delay', 'one_time', 'api'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** The config fields the form shows per job type (the rest go to the JSON editor). */
export const FIELDS_OF_TYPE: Record<string, readonly string[]> = {
  http: ['method', 'url', 'body'],
  script: ['language', 'source'],
  executor: ['handler', 'params', 'routeStrategy'],
  dify_workflow: ['endpoint', 'apiKey', 'inputs'],
};

/** Fields holding JSON (edited as text). */
export const JSON_FIELDS = new Set(['inputs', 'body']);

export interface TaskFormState {
  name: string;
  description: string;
  app: string;
  type: string;
  /** Shown fields as text (JSON fields as JSON text). */
  fields: Record<string, string>;
  /** The rest of the config as JSON text. */
  extraConfig: string;
  scheduleType: ScheduleType;
  expression: string;
  intervalSeconds: string;
  delaySeconds: string;
  at: string;
  timezone: string;
  calendarId: string;
  calendarMode: 'exclude' | 'include';
  misfire: 'skip' | 'fire_once' | 'catch_up';
  timeoutSeconds: string;
  maxAttempts: string;
  /** The retry settings the form does not show (backoff, delays), kept as the task had them. */
  retryRest: Record<string, unknown>;
  concurrencyMax: string;
  overlap: 'skip' | 'queue' | 'replace' | 'allow';
  enabled: boolean;
  /** Tasks to trigger when a run succeeds (their ids, as the multi-select holds them). */
  childTaskIds: string[];
}

const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function emptyForm(): TaskFormState {
  return {
    name: '',
    description: '',
    app: '',
    type: 'http',
    fields: { method: 'GET' },
    extraConfig: '{}',
    scheduleType: 'cron',
    expression: '0 0 2 * * ?',
    intervalSeconds: '60',
    delaySeconds: '60',
    at: '',
    timezone: viewerZone(),
    calendarId: '',
    calendarMode: 'exclude',
    misfire: 'skip',
    timeoutSeconds: '',
    maxAttempts: '1',
    retryRest: {},
    concurrencyMax: '1',
    overlap: 'skip',
    enabled: true,
    childTaskIds: [],
  };
}

export function formOfTask(task: Task, clone: boolean): TaskFormState {
  const shown = FIELDS_OF_TYPE[task.type] ?? [];
  const fields: Record<string, string> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task.config)) {
    if (!shown.includes(key)) extra[key] = value;
    else if (JSON_FIELDS.has(key)) fields[key] = JSON.stringify(value, null, 2);
    else fields[key] = String(value);
  }
  const s = task.schedule;
  return {
    ...emptyForm(),
    name: clone ? `${task.name} (copy)` : task.name,
    description: task.description ?? '',
    app: task.appName,
    type: task.type,
    fields,
    extraConfig: JSON.stringify(extra, null, 2),
    scheduleType: s.type,
    expression: s.type === 'cron' ? s.expression : '0 0 2 * * ?',
    intervalSeconds: s.type === 'fixed_rate' ? String(s.intervalSeconds) : '60',
    delaySeconds: s.type === 'fixed_delay' ? String(s.delaySeconds) : '60',
    at: s.type === 'one_time' ? s.at : '',
    timezone: s.timezone,
    calendarId: s.calendar ? String(s.calendar.id) : '',
    calendarMode: s.calendar?.mode ?? 'exclude',
    misfire: s.misfire.policy,
    timeoutSeconds: task.timeoutSeconds === null ? '' : String(task.timeoutSeconds),
    maxAttempts: String(task.retry.maxAttempts),
    retryRest: {
      backoff: task.retry.backoff,
      delaySeconds: task.retry.delaySeconds,
      maxDelaySeconds: task.retry.maxDelaySeconds,
    },
    concurrencyMax: String(task.concurrency.max),
    overlap: task.concurrency.overlap,
    enabled: clone ? false : task.enabled,
    childTaskIds: (task.childTaskIds ?? []).map(String),
  };
}

/** A JSON text that does not parse: the form names the field. */
export class FormFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormFieldError(field, `is not valid JSON (${(error as Error).message})`);
  }
}

export function scheduleOf(form: TaskFormState): ScheduleInput {
  const common = {
    timezone: form.timezone || 'UTC',
    misfire: { policy: form.misfire },
    ...(form.calendarId ? { calendar: { id: Number(form.calendarId), mode: form.calendarMode } } : {}),
  };
  switch (form.scheduleType) {
    case 'cron':
      return { type: 'cron', expression: form.expression, ...common };
    case 'fixed_rate':
      return { type: 'fixed_rate', intervalSeconds: Number(form.intervalSeconds), ...common };
    case 'fixed_delay':
      return { type: 'fixed_delay', delaySeconds: Number(form.delaySeconds), ...common };
    case 'one_time':
      return { type: 'one_time', at: form.at, ...common };
    case 'api':
      return { type: 'api', ...common };
  }
}

export function configOf(form: TaskFormState): Record<string, unknown> {
  const extra = form.extraConfig.trim() === '' ? {} : parseJson('config', form.extraConfig);
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new FormFieldError('config', 'must be a JSON object');
  }
  const config: Record<string, unknown> = { ...(extra as Record<string, unknown>) };
  for (const key of FIELDS_OF_TYPE[form.type] ?? []) {
    const text = form.fields[key];
    if (text === undefined || text.trim() === '') continue;
    config[key] = JSON_FIELDS.has(key) ? parseJson(`config.${key}`, text) : text;
  }
  return config;
}

export function bodyOf(form: TaskFormState): TaskCreateInput {
  return {
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    app: form.app,
    type: form.type,
    config: configOf(form),
    schedule: scheduleOf(form),
    timeoutSeconds: form.timeoutSeconds === '' ? null : Number(form.timeoutSeconds),
    retry: { ...form.retryRest, maxAttempts: Number(form.maxAttempts) || 1 },
    concurrency: { max: Number(form.concurrencyMax) || 1, overlap: form.overlap },
    enabled: form.enabled,
    // Sent even when empty: on an edit, none chosen removes the task's children.
    childTaskIds: form.childTaskIds.map(Number),
  };
}
