/**
 * The fetch-based Kairos API client: one sub-client per resource, as the CLI and the console use
 * it. Requests and answers are typed with the schemas in schemas.ts but not validated here: the
 * server is the authority on what is valid, and a second, drifting copy of its rules in the
 * client would only produce different error messages for the same mistake.
 */
import type { z } from 'zod';
import type {
  App,
  AppCreate,
  AppUpdate,
  Calendar,
  CalendarCreate,
  CalendarUpdate,
  List,
  Namespace,
  NamespaceCreate,
  SchedulePreview,
  SchedulePreviewRequest,
  Task,
  TaskCreateInput,
  TaskUpdateInput,
} from './schemas.js';
import type { NodesClient } from './nodes.js';
import type { ApplyPlan, ApplyRequestInput } from './definitions.js';
import type { Executor } from './executors.js';
import type { RunStats, RunStatsQueryInput } from './stats.js';
import type { Retention, RetentionUpdate } from './retention.js';
import {
  alertClients,
  type AlertRulesClient,
  type AlertsClient,
  type ContactGroupsClient,
  type ContactsClient,
} from './alerts-client.js';
import { securityClients, type OutboundRulesClient, type SecretsClient } from './security-client.js';
import { pacingClients, type BudgetsClient, type PoolsClient } from './pacing-client.js';
import {
  accessClients,
  type AuditClient,
  type SessionClient,
  type TokensClient,
  type UsersClient,
} from './access-client.js';
import { createTransport, segment } from './client-http.js';
import type { ListOptions, Ref } from './client-types.js';
import { runsClient, type RunsClient } from './runs-client.js';
import { workflowClients, type WorkflowRunsClient, type WorkflowsClient } from './workflows-client.js';
import { deadLettersClient, type DeadLettersClient } from './dead-letters-client.js';
import { batchesClient, type BatchesClient } from './batches-client.js';
import type { FetchLike } from './client-http.js';

export { KairosApiError, CLIENT_ERROR_CODES } from './client-error.js';
export type { KairosApiErrorInit } from './client-error.js';
export type {
  AlertListOptions,
  AlertRulesClient,
  AlertsClient,
  ContactGroupsClient,
  ContactsClient,
} from './alerts-client.js';
export type { OutboundRulesClient, SecretsClient } from './security-client.js';
export type { BudgetsClient, PoolsClient } from './pacing-client.js';
export type {
  AuditClient,
  AuditListOptions,
  SessionClient,
  TokenCreateInput,
  TokensClient,
  UserCreateInput,
  UsersClient,
} from './access-client.js';
export { encodeQuery } from './client-http.js';
export { readServerSentEvents } from './client-sse.js';
export type { ServerSentEvent } from './client-sse.js';
export type { FetchLike, Query, QueryValue } from './client-http.js';

export interface ClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:8080`; a path prefix is kept. */
  baseUrl: string;
  /** An API token, sent as `Authorization: Bearer <token>`. Optional for `health()`. */
  token?: string | undefined;
  /**
   * Without a token, in a browser signed in to the console (a session cookie): the session's
   * CSRF token (from `session.signIn()` or `session.get()`), sent with every change.
   */
  csrfToken?: string | undefined;
  /** A fetch to use instead of the global one (tests, proxies, custom agents). */
  fetch?: FetchLike | undefined;
}

export type NamespaceCreateInput = z.input<typeof NamespaceCreate>;
export type AppCreateInput = z.input<typeof AppCreate>;
export type AppUpdateInput = z.input<typeof AppUpdate>;
export type CalendarCreateInput = z.input<typeof CalendarCreate>;
export type CalendarUpdateInput = z.input<typeof CalendarUpdate>;

export type { ListOptions, Ref } from './client-types.js';
export type { RunListOptions, RunLogsOptions, RunsClient } from './runs-client.js';
export type { WorkflowRunListOptions, WorkflowRunsClient, WorkflowsClient } from './workflows-client.js';
export type { DeadLetterListOptions, DeadLettersClient } from './dead-letters-client.js';
export type { BatchItemsOptions, BatchListOptions, BatchesClient } from './batches-client.js';

export interface TaskListOptions extends ListOptions {
  appId?: number | undefined;
  enabled?: boolean | undefined;
}

export interface FiresOptions {
  count?: number | undefined;
  /** Fires strictly after this instant; default: now (server clock). */
  from?: string | Date | undefined;
}

/** `{ schedule, count?, from?, namespace? }`; `namespace` says where the schedule's calendar lives. */
export type SchedulePreviewInput = Omit<z.input<typeof SchedulePreviewRequest>, 'from'> & {
  from?: string | Date | undefined;
};

/** The answer to creating or changing a task: the task, plus what the server wants you to know. */
export type TaskWithWarnings = Task & {
  /** E.g. a schedule whose calendar rules out every fire for a year. */
  warnings?: string[];
};

/** The answer to `tasks.validate`: what creating the task would say, nothing saved. */
export interface TaskValidationResult {
  valid: boolean;
  warnings: string[];
  errors?: { code: string; message: string; field?: string }[];
}

export interface RunTaskInput {
  /** Handed to the run as its `input`. */
  input?: unknown;
}

export interface RunTaskOptions {
  /** Sent as the `Idempotency-Key` header: a retried trigger with the same key makes no new run. */
  idempotencyKey?: string | undefined;
}

export interface RunAcceptedResponse {
  runId: number;
}

export interface HealthStatus {
  status: string;
  [key: string]: unknown;
}

export interface NamespacesClient {
  /** @example `const { items } = await client.namespaces.list();` */
  list(): Promise<List<Namespace>>;
  /** @example `await client.namespaces.create({ name: 'billing', description: 'Invoices' });` */
  create(input: NamespaceCreateInput): Promise<Namespace>;
  /** @example `const ns = await client.namespaces.get('billing');` */
  get(name: string): Promise<Namespace>;
  /** @example `const { effective } = await client.namespaces.getRetention('billing');` */
  getRetention(name: string): Promise<Retention>;
  /** @example `await client.namespaces.setRetention('billing', { keepDays: 14, keepLogsDays: 3 });` */
  setRetention(name: string, update: RetentionUpdate): Promise<Retention>;
}

export interface AppsClient {
  /** @example `const { items, nextCursor } = await client.apps.list({ namespace: 'billing' });` */
  list(options?: ListOptions): Promise<List<App>>;
  /**
   * Creates an app. The answer holds the full `accessToken`: the only time it is shown.
   * @example `const app = await client.apps.create({ appName: 'invoicing', name: 'Invoicing' });`
   */
  create(input: AppCreateInput): Promise<App>;
  /** @example `const app = await client.apps.get('invoicing'); // or by id: get(3)` */
  get(idOrAppName: Ref): Promise<App>;
  /** @example `await client.apps.update('invoicing', { maxConcurrency: 4 });` */
  update(idOrAppName: Ref, patch: AppUpdateInput): Promise<App>;
  /** @example `await client.apps.delete('invoicing');` */
  delete(idOrAppName: Ref): Promise<void>;
  /**
   * Issues a new access token; the old one stops working. The answer holds the new token in full.
   * @example `const { accessToken } = await client.apps.rotateToken('invoicing');`
   */
  rotateToken(idOrAppName: Ref): Promise<App>;
}

export interface CalendarsClient {
  /** @example `const { items } = await client.calendars.list();` */
  list(options?: ListOptions): Promise<List<Calendar>>;
  /**
   * @example
   * `await client.calendars.create({ name: 'cn-holidays', timezone: 'Asia/Shanghai', dates: ['2026-10-01'] });`
   */
  create(input: CalendarCreateInput): Promise<Calendar>;
  /** @example `const cal = await client.calendars.get(2);` */
  get(id: Ref): Promise<Calendar>;
  /** @example `await client.calendars.update(2, { dates: ['2026-10-01', '2026-10-02'] });` */
  update(id: Ref, patch: CalendarUpdateInput): Promise<Calendar>;
  /** @example `await client.calendars.delete(2);` */
  delete(id: Ref): Promise<void>;
}

export interface TasksClient {
  /** @example `const { items } = await client.tasks.list({ appId: 3, enabled: true });` */
  list(options?: TaskListOptions): Promise<List<Task>>;
  /**
   * @example
   * ```ts
   * const task = await client.tasks.create({
   *   name: 'nightly-report', app: 'invoicing', type: 'http',
   *   config: { url: 'https://example.com/report', method: 'POST' },
   *   schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: 'Europe/Paris' },
   * });
   * ```
   */
  create(input: TaskCreateInput): Promise<TaskWithWarnings>;
  /**
   * Checks a creation body as `create` would (config against its target, schedule) without saving.
   * @example `const { valid, errors } = await client.tasks.validate(body);`
   */
  validate(input: TaskCreateInput): Promise<TaskValidationResult>;
  /** @example `const task = await client.tasks.get(42);` */
  get(id: Ref): Promise<Task>;
  /** @example `await client.tasks.update(42, { timeoutSeconds: 600 });` */
  update(id: Ref, patch: TaskUpdateInput): Promise<TaskWithWarnings>;
  /** @example `await client.tasks.delete(42);` */
  delete(id: Ref): Promise<void>;
  /**
   * Triggers a run now; the server answers 202 before the run starts.
   * @example `const { runId } = await client.tasks.run(42, { input: { day: '2026-03-15' } }, { idempotencyKey: 'report-2026-03-15' });`
   */
  run(id: Ref, input?: RunTaskInput, options?: RunTaskOptions): Promise<RunAcceptedResponse>;
  /** @example `await client.tasks.enable(42);` */
  enable(id: Ref): Promise<Task>;
  /** @example `await client.tasks.disable(42);` */
  disable(id: Ref): Promise<Task>;
  /** @example `const { fires } = await client.tasks.nextFires(42, { count: 5 });` */
  nextFires(id: Ref, options?: FiresOptions): Promise<SchedulePreview>;
}

export interface SchedulesClient {
  /**
   * Computes the next fires of a schedule without saving anything.
   * @example `const { fires } = await client.schedules.preview({ schedule: { type: 'cron', expression: '0 0/15 * * * ?' }, count: 4 });`
   */
  preview(input: SchedulePreviewInput): Promise<SchedulePreview>;
}

export interface StatsClient {
  /**
   * Run statistics per bucket (counts by status, tokens, cost), per task, and totals.
   * @example `const stats = await client.stats.runs({ app: 'invoicing', from: '2026-03-01T00:00:00Z', bucket: '1h' });`
   */
  runs(query?: RunStatsQueryInput): Promise<RunStats>;
}

export interface ExecutorsClient {
  /** @example `const { items } = await client.executors.list({ app: 'invoicing' });` */
  list(options?: {
    app?: string | undefined;
    namespace?: string | undefined;
  }): Promise<{ items: Executor[] }>;
  /** An app's manual address list (null: its executors register themselves). @example `await client.executors.addresses('billing');` */
  addresses(app: Ref): Promise<{ addresses: string[] | null }>;
  /** @example `await client.executors.setAddresses('billing', ['http://10.0.0.5:9999']);` */
  setAddresses(app: Ref, addresses: string[] | null): Promise<{ addresses: string[] | null }>;
}

export interface KairosClient {
  namespaces: NamespacesClient;
  apps: AppsClient;
  calendars: CalendarsClient;
  tasks: TasksClient;
  schedules: SchedulesClient;
  runs: RunsClient;
  batches: BatchesClient;
  workflows: WorkflowsClient;
  workflowRuns: WorkflowRunsClient;
  nodes: NodesClient;
  contacts: ContactsClient;
  contactGroups: ContactGroupsClient;
  alertRules: AlertRulesClient;
  alerts: AlertsClient;
  stats: StatsClient;
  executors: ExecutorsClient;
  secrets: SecretsClient;
  outbound: OutboundRulesClient;
  /** Provider pacing pools. */
  pools: PoolsClient;
  /** Token and cost budgets. */
  budgets: BudgetsClient;
  /**
   * A SQLite server's database, copied online: the answer's body is the file (restore: place it
   * as `kairos.db` in an empty data directory). A PostgreSQL server answers BACKUP_NOT_SUPPORTED.
   * @example `const file = await client.backup(); await writeFile('kairos.db', Buffer.from(await file.arrayBuffer()));`
   */
  backup(): Promise<Response>;
  /**
   * Definitions as code: creates, updates (and with `prune` deletes) apps, calendars and tasks
   * from documents in the shape `kairos export` writes, all in one transaction; answers the plan.
   * @example `const plan = await client.apply({ documents: [doc], dryRun: true });`
   */
  apply(request: ApplyRequestInput): Promise<ApplyPlan>;
  /** Runs whose retries are exhausted: list, redrive, discard. */
  deadLetters: DeadLettersClient;
  tokens: TokensClient;
  audit: AuditClient;
  users: UsersClient;
  session: SessionClient;
  /** @example `const { status } = await client.health();` */
  health(): Promise<HealthStatus>;
}

/**
 * Creates an API client.
 *
 * @example
 * ```ts
 * import { createClient, KairosApiError } from '@kairos/protocol';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.KAIROS_TOKEN });
 * const { runId } = await client.tasks.run(42);
 * const run = await client.runs.get(runId);
 * ```
 */
export function createClient(options: ClientOptions): KairosClient {
  const http = createTransport(options);
  const v1 = '/api/v1';

  return {
    namespaces: {
      list: () => http.request('GET', `${v1}/namespaces`),
      create: (input) => http.request('POST', `${v1}/namespaces`, { body: input }),
      get: (name) => http.request('GET', `${v1}/namespaces/${segment(name)}`),
      getRetention: (name) => http.request('GET', `${v1}/namespaces/${segment(name)}/retention`),
      setRetention: (name, update) =>
        http.request('PUT', `${v1}/namespaces/${segment(name)}/retention`, { body: update }),
    },
    apps: {
      list: (o = {}) => http.request('GET', `${v1}/apps`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/apps`, { body: input }),
      get: (ref) => http.request('GET', `${v1}/apps/${segment(ref)}`),
      update: (ref, patch) => http.request('PATCH', `${v1}/apps/${segment(ref)}`, { body: patch }),
      delete: (ref) => http.request('DELETE', `${v1}/apps/${segment(ref)}`),
      rotateToken: (ref) => http.request('POST', `${v1}/apps/${segment(ref)}/rotate-token`),
    },
    calendars: {
      list: (o = {}) => http.request('GET', `${v1}/calendars`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/calendars`, { body: input }),
      get: (id) => http.request('GET', `${v1}/calendars/${segment(id)}`),
      update: (id, patch) => http.request('PATCH', `${v1}/calendars/${segment(id)}`, { body: patch }),
      delete: (id) => http.request('DELETE', `${v1}/calendars/${segment(id)}`),
    },
    tasks: {
      list: (o = {}) => http.request('GET', `${v1}/tasks`, { query: { ...o } }),
      create: (input) => http.request('POST', `${v1}/tasks`, { body: input }),
      validate: (input) => http.request('POST', `${v1}/tasks/validate`, { body: input }),
      get: (id) => http.request('GET', `${v1}/tasks/${segment(id)}`),
      update: (id, patch) => http.request('PATCH', `${v1}/tasks/${segment(id)}`, { body: patch }),
      delete: (id) => http.request('DELETE', `${v1}/tasks/${segment(id)}`),
      run: (id, input = {}, o = {}) =>
        http.request('POST', `${v1}/tasks/${segment(id)}/run`, {
          body: input,
          headers: { 'idempotency-key': o.idempotencyKey },
        }),
      enable: (id) => http.request('POST', `${v1}/tasks/${segment(id)}/enable`),
      disable: (id) => http.request('POST', `${v1}/tasks/${segment(id)}/disable`),
      nextFires: (id, o = {}) =>
        http.request('GET', `${v1}/tasks/${segment(id)}/next-fires`, { query: { ...o } }),
    },
    schedules: {
      // A Date in `from` serialises as its ISO instant (Date.prototype.toJSON).
      preview: (input) => http.request('POST', `${v1}/schedules/preview`, { body: input }),
    },
    runs: runsClient(http, v1),
    ...workflowClients(http, v1),
    deadLetters: deadLettersClient(http, v1),
    batches: batchesClient(http, v1),
    nodes: {
      list: () => http.request('GET', `${v1}/nodes`),
    },
    ...alertClients(http, v1),
    ...securityClients(http, v1),
    ...pacingClients(http, v1),
    ...accessClients(http, v1),
    stats: {
      runs: (q = {}) => http.request('GET', `${v1}/stats/runs`, { query: { ...q } }),
    },
    executors: {
      list: (o = {}) => http.request('GET', `${v1}/executors`, { query: { ...o } }),
      addresses: (app) => http.request('GET', `${v1}/apps/${segment(app)}/executor-addresses`),
      setAddresses: (app, addresses) =>
        http.request('PUT', `${v1}/apps/${segment(app)}/executor-addresses`, { body: { addresses } }),
    },
    backup: () => http.open(`${v1}/backup`),
    apply: (request) => http.request('POST', `${v1}/apply`, { body: request }),
    health: () => http.request('GET', '/healthz'),
  };
}
