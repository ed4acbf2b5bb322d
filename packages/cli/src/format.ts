/**
 * Human output: aligned tables for lists, `key: value` blocks for one resource. Scripts use
 * `--json`, which prints the server's answer untouched; nothing here is meant to be parsed.
 */
import type { App, Calendar, Run, Schedule, Task } from '@kairos/protocol';
import { isoAsIs } from './time-format.js';
import type { TimeFormat } from './time-format.js';

type Cell = string | number | boolean | null | undefined;

const show = (value: Cell): string =>
  value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(headers: string[], rows: Cell[][]): string[] {
  const cells = [headers, ...rows.map((row) => row.map(show))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `key: value` lines with the values aligned; multi-line values are indented under their key. */
export function keyValues(pairs: [string, Cell][]): string[] {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  const lines: string[] = [];
  for (const [key, value] of pairs) {
    const text = value === null || value === undefined || value === '' ? '-' : String(value);
    const [first, ...more] = text.split('\n');
    lines.push(`${`${key}:`.padEnd(width)} ${first ?? ''}`);
    for (const line of more) lines.push(`${' '.repeat(width + 1)}${line}`);
  }
  return lines;
}

/** Pretty JSON for a value inside a key-value block, cut short when it would flood the terminal. */
export function jsonValue(value: unknown, maxChars = 2000): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = JSON.stringify(value, null, 2);
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length} chars; use --json)` : text;
}

export function formatDuration(ms: number | null | undefined): string | undefined {
  if (ms === null || ms === undefined) return undefined;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function formatSchedule(schedule: Schedule): string {
  const zone = schedule.timezone && schedule.timezone !== 'UTC' ? ` (${schedule.timezone})` : '';
  switch (schedule.type) {
    case 'cron':
      return `cron ${schedule.expression}${zone}`;
    case 'fixed_rate':
      return `every ${schedule.intervalSeconds}s${schedule.startAt ? ` from ${schedule.startAt}` : ''}`;
    case 'fixed_delay':
      return `${schedule.delaySeconds}s after each run`;
    case 'one_time':
      return `once at ${schedule.at}`;
    case 'api':
      return 'on demand (API)';
    default:
      return JSON.stringify(schedule);
  }
}

// Task configs hold credentials (HTTP headers, Dify API keys); the human view never shows them.
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential|cookie|private[-_]?key/i;

/** A copy of `value` with the values of secret-looking keys replaced by "***". */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        SECRET_KEY.test(key) && typeof v === 'string' ? '***' : redactSecrets(v),
      ]),
    );
  }
  return value;
}

// ---------------------------------------------------------------- resources

export function appLines(app: App, options: { showToken?: boolean } = {}): string[] {
  const pairs: [string, Cell][] = [
    ['id', app.id],
    ['appName', app.appName],
    ['name', app.name],
    ['namespace', app.namespace],
    ['description', app.description],
    ['maxConcurrency', app.maxConcurrency ?? 'unlimited'],
    ['created', app.createdAt],
    ['updated', app.updatedAt],
  ];
  if (options.showToken) pairs.push(['accessToken', app.accessToken]);
  return keyValues(pairs);
}

export function appTable(apps: App[]): string[] {
  return table(
    ['ID', 'NAMESPACE', 'APP NAME', 'NAME', 'MAX CONC', 'CREATED'],
    apps.map((a) => [a.id, a.namespace, a.appName, a.name, a.maxConcurrency, a.createdAt]),
  );
}

export function taskLines(task: Task, at: TimeFormat = isoAsIs): string[] {
  const { retry, concurrency } = task;
  return keyValues([
    ['id', task.id],
    ['name', task.name],
    ['namespace', task.namespace],
    ['app', `${task.appName} (#${task.appId})`],
    ['type', task.type],
    ['schedule', formatSchedule(task.schedule)],
    ['misfire', task.schedule.misfire?.policy],
    ['enabled', task.enabled ? 'yes' : 'no'],
    ['next fire', at(task.nextFireAt)],
    ['timeout', task.timeoutSeconds === null ? 'none' : `${task.timeoutSeconds}s`],
    [
      'retry',
      retry.maxAttempts <= 1
        ? 'none'
        : `${retry.maxAttempts} attempts, ${retry.backoff} from ${retry.delaySeconds}s (max ${retry.maxDelaySeconds}s)`,
    ],
    ['concurrency', `max ${concurrency.max}, overlap ${concurrency.overlap}`],
    ['description', task.description],
    ['config', jsonValue(redactSecrets(task.config))],
    ['created', at(task.createdAt)],
    ['updated', at(task.updatedAt)],
  ]);
}

export function taskTable(tasks: Task[], at: TimeFormat = isoAsIs): string[] {
  return table(
    ['ID', 'NAME', 'APP', 'TYPE', 'SCHEDULE', 'ENABLED', 'NEXT FIRE'],
    tasks.map((t) => [
      t.id,
      t.name,
      t.appName,
      t.type,
      formatSchedule(t.schedule),
      t.enabled ? 'yes' : 'no',
      at(t.nextFireAt),
    ]),
  );
}

/** How a run list names its runs' tasks: `#42 nightly report` (the id alone when unknown). */
export type TaskNames = ReadonlyMap<number, string>;

const taskLabel = (taskId: number, names: TaskNames | undefined): string => {
  const name = names?.get(taskId);
  return name === undefined ? `#${taskId}` : `#${taskId} ${name}`;
};

export function runLines(run: Run, at: TimeFormat = isoAsIs, names?: TaskNames): string[] {
  const usage = run.usage;
  return keyValues([
    ['id', run.id],
    ['task', taskLabel(run.taskId, names)],
    ['app', run.appId],
    ['namespace', run.namespace],
    ['status', run.status],
    ['trigger', run.triggerType],
    ['attempt', run.retryOf === null ? run.attempt : `${run.attempt} (retry of run ${run.retryOf})`],
    ...(run.replayOf != null ? [['replay of', run.replayOf] as [string, Cell]] : []),
    ...(run.versionPin != null ? [['pinned to', run.versionPin] as [string, Cell]] : []),
    ['scheduled', at(run.scheduledAt)],
    ['started', at(run.startedAt)],
    ['finished', at(run.finishedAt)],
    ['duration', formatDuration(run.durationMs)],
    ['executor', run.executor],
    ['error', run.error ? `${run.error.type}: ${run.error.message}` : undefined],
    ...(run.checks ? [['checks', checksLine(run.checks)] as [string, Cell]] : []),
    [
      'usage',
      usage
        ? [
            usage.totalTokens === undefined ? undefined : `${usage.totalTokens} tokens`,
            usage.totalPrice === undefined ? undefined : `${usage.totalPrice} ${usage.currency ?? ''}`.trim(),
          ]
            .filter(Boolean)
            .join(', ')
        : undefined,
    ],
    ['input', jsonValue(run.input)],
    ['output', jsonValue(run.output)],
  ]);
}

const checksLine = (checks: NonNullable<Run['checks']>): string =>
  checks.checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.rule}${c.path ? ` ${c.path}` : ''}`).join(', ');

export function runTable(runs: Run[], at: TimeFormat = isoAsIs, names?: TaskNames): string[] {
  return table(
    ['ID', 'TASK', 'STATUS', 'TRIGGER', 'ATTEMPT', 'SCHEDULED', 'DURATION'],
    runs.map((r) => [
      r.id,
      taskLabel(r.taskId, names),
      r.status,
      r.triggerType,
      r.attempt,
      at(r.scheduledAt),
      formatDuration(r.durationMs),
    ]),
  );
}

export function calendarLines(calendar: Calendar): string[] {
  const dates = calendar.dates;
  // Eight dates a line keeps a year of holidays readable.
  const rows: string[] = [];
  for (let i = 0; i < dates.length; i += 8) rows.push(dates.slice(i, i + 8).join(' '));
  return keyValues([
    ['id', calendar.id],
    ['name', calendar.name],
    ['namespace', calendar.namespace],
    ['timezone', calendar.timezone],
    ['dates', `${dates.length}${rows.length > 0 ? `\n${rows.join('\n')}` : ''}`],
    ['created', calendar.createdAt],
    ['updated', calendar.updatedAt],
  ]);
}

export function calendarTable(calendars: Calendar[]): string[] {
  return table(
    ['ID', 'NAMESPACE', 'NAME', 'TIMEZONE', 'DATES', 'UPDATED'],
    calendars.map((c) => [c.id, c.namespace, c.name, c.timezone, c.dates.length, c.updatedAt]),
  );
}

/** "(next page: --cursor X)" after a list that has more. */
export function nextPageHint(nextCursor: string | null): string[] {
  return nextCursor ? [`(more: add --cursor ${nextCursor})`] : [];
}
