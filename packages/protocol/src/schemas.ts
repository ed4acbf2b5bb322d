/**
 * The REST API's request and response shapes, shared by the server (validation, OpenAPI), the
 * API client and the CLI. JSON is camelCase; timestamps are ISO-8601 UTC strings.
 */
import { z } from 'zod';
import { OutputChecks, OutputGate } from './output-gates.js';
import { Budget, PoolName } from './pacing.js';
import { isoInstant, localDate, id, namespaceName } from './primitives.js';
import {
  CalendarChoice,
  CronSchedule,
  FixedDelaySchedule,
  FixedRateSchedule,
  OneTimeSchedule,
  Schedule,
  ScheduleRequest,
  patchOf,
} from './schedules.js';

export * from './schedules.js';

// ---------------------------------------------------------------- tasks

export const Retry = z.strictObject({
  /** Attempts in all, the first included: 1 means no retry. */
  maxAttempts: z.number().int().min(1).max(100).default(1),
  backoff: z.enum(['fixed', 'exponential']).default('exponential'),
  delaySeconds: z.number().min(0).max(86_400).default(10),
  maxDelaySeconds: z
    .number()
    .min(0)
    .max(7 * 86_400)
    .default(3600),
});
export type Retry = z.output<typeof Retry>;

export const Concurrency = z.strictObject({
  max: z.number().int().min(1).max(10_000).default(1),
  /** What a run does when `max` runs of its task are already running. */
  overlap: z.enum(['skip', 'queue', 'replace', 'allow']).default('skip'),
});
export type Concurrency = z.output<typeof Concurrency>;

const appRef = z.union([z.string().min(1), id]);

export const TaskCreate = z.strictObject({
  namespace: namespaceName.optional(),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  app: appRef,
  type: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()).default({}),
  schedule: ScheduleRequest,
  timeoutSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .nullable()
    .optional(),
  retry: Retry.optional(),
  concurrency: Concurrency.optional(),
  enabled: z.boolean().default(true),
  /**
   * Tasks of the same namespace to trigger when a run of this one succeeds (finally: not a failed
   * attempt that will be retried), XXL-JOB's childJobId. Their runs are stored with this run's end.
   */
  childTaskIds: z.array(id).max(100).optional(),
  /** Assertions on the output that decide success (output-gates.ts); null removes them. */
  outputGate: OutputGate.nullable().optional(),
  /** Orders this task's queued runs per app and per pool: higher goes first (default 0). */
  priority: z.number().int().min(-1000).max(1000).default(0),
  /** The provider pacing pool (in the task's namespace) its runs wait for; null: none. */
  pool: PoolName.nullable().optional(),
  /** A token and cost budget of the task's runs; null: none. */
  budget: Budget.nullable().optional(),
});
export type TaskCreateInput = z.input<typeof TaskCreate>;
export type TaskCreate = z.output<typeof TaskCreate>;

/**
 * A PATCH of a task's `schedule` is a merge patch (RFC 7396) over the stored schedule: the fields
 * given replace those stored, `"calendar": null` removes the calendar, the rest stays (changing
 * the expression keeps the zone and calendar). A change of `type` drops the old type's own fields
 * (`expression`, `intervalSeconds`…), never the zone, calendar, misfire or DST policy. The merged
 * schedule is then checked as a whole, as on create.
 */
export const SchedulePatch = patchOf(
  z.strictObject({
    ...CronSchedule.shape,
    ...FixedRateSchedule.shape,
    ...FixedDelaySchedule.shape,
    ...OneTimeSchedule.shape,
    type: z.enum(['cron', 'fixed_rate', 'fixed_delay', 'one_time', 'api']),
    calendar: CalendarChoice.nullable(),
  }),
);
export type SchedulePatchInput = z.input<typeof SchedulePatch>;
export type SchedulePatch = z.output<typeof SchedulePatch>;

export const TaskUpdate = patchOf(TaskCreate.omit({ namespace: true }).extend({ schedule: SchedulePatch }));
export type TaskUpdateInput = z.input<typeof TaskUpdate>;
export type TaskUpdate = z.output<typeof TaskUpdate>;

export const Task = z.object({
  id,
  namespace: z.string(),
  appId: id,
  appName: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  type: z.string(),
  config: z.record(z.string(), z.unknown()),
  schedule: Schedule,
  timeoutSeconds: z.number().nullable(),
  retry: Retry,
  concurrency: Concurrency,
  enabled: z.boolean(),
  childTaskIds: z.array(id).optional(),
  outputGate: OutputGate.nullable(),
  /** Absent from servers before pools and budgets. */
  priority: z.number().int().optional(),
  pool: z.string().nullable().optional(),
  budget: Budget.nullable().optional(),
  nextFireAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof Task>;

export const RunTrigger = z.strictObject({
  input: z.unknown().optional(),
  /** Overrides the task's priority for this run. */
  priority: z.number().int().min(-1000).max(1000).optional(),
});
export const RunAccepted = z.object({ runId: id });

/** Most items one POST /runs/batch takes. */
export const RUN_BATCH_MAX_ITEMS = 1000;
export const RunBatchItem = z.strictObject({
  taskId: id,
  input: z.unknown().optional(),
  /** A repeat (in this batch or any earlier trigger of the task) returns the same run. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export const RunBatchRequest = z.strictObject({
  /** When given, tasks of other namespaces are refused (per item). */
  namespace: namespaceName.optional(),
  items: z
    .array(RunBatchItem)
    .min(1, 'must hold at least one item')
    .max(RUN_BATCH_MAX_ITEMS, `must hold at most ${RUN_BATCH_MAX_ITEMS} items; split the batch`),
});
export type RunBatchRequest = z.input<typeof RunBatchRequest>;
/** Per item, in order: the run (created false: an idempotency key repeated), or why not. */
export const RunBatchResult = z.object({
  items: z.array(
    z.union([
      z.object({ runId: id, created: z.boolean() }),
      z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string() }) }),
    ]),
  ),
});
export type RunBatchResult = z.infer<typeof RunBatchResult>;

// ---------------------------------------------------------------- runs

export const RunStatus = z.enum([
  'scheduled',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
  'lost',
]);
export type RunStatus = z.infer<typeof RunStatus>;
export const TERMINAL_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
  'lost',
];

/**
 * `replay`/`redrive`: a past run run again (replayOf names it); `judge`: an output gate's judge;
 * `parent`: a child task's run, triggered by its parent's success; `workflow`: a workflow's node run.
 */
export const TriggerType = z.enum([
  'schedule',
  'manual',
  'api',
  'retry',
  'misfire',
  'replay',
  'redrive',
  'judge',
  'parent',
  'workflow',
]);
export type TriggerType = z.infer<typeof TriggerType>;

export const Usage = z.object({
  promptTokens: z.number().optional(),
  completionTokens: z.number().optional(),
  totalTokens: z.number().optional(),
  totalPrice: z.number().optional(),
  currency: z.string().optional(),
});
export type Usage = z.infer<typeof Usage>;

export const RunError = z.looseObject({ type: z.string(), message: z.string() });
export type RunError = z.infer<typeof RunError>;

export const RunWaiting = z.object({
  reason: z.enum(['pool', 'budget']),
  /** The pool's name (reason pool). */
  pool: z.string().nullable(),
  /** The budget's scope, `task:42`, `app:7`, `namespace:1` (reason budget). */
  budget: z.string().nullable(),
  /** Since when it waits. */
  since: z.string(),
  /** When it is looked at again (a pool's refill, a budget's next period); null: when a run ends. */
  until: z.string().nullable(),
  message: z.string(),
});
export type RunWaiting = z.infer<typeof RunWaiting>;

export const Run = z.object({
  id,
  taskId: id,
  appId: id,
  namespace: z.string(),
  triggerType: TriggerType,
  status: RunStatus,
  scheduledAt: z.string(),
  startedAt: z.string().nullable(),
  /**
   * When the job made its first outside effect (HTTP request or Dify run request written,
   * script process spawned, executor called or, in pull mode, handed its trigger); recorded
   * with the run's end. Lateness as the target feels it is effectAt - scheduledAt.
   */
  effectAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  attempt: z.number().int(),
  retryOf: id.nullable(),
  input: z.unknown(),
  output: z.unknown(),
  error: RunError.nullable(),
  executor: z.string().nullable(),
  usage: Usage.nullable(),
  /** Orders queued runs per app and per pool (higher first); the task's unless the trigger set one. */
  priority: z.number().int().optional(),
  /** The run whose success triggered this one (trigger `parent`). */
  triggeredBy: id.nullable().optional(),
  /** For a workflow's node run: its workflow run and node (and item, for forEach). */
  workflowRunId: id.nullable().optional(),
  workflowNode: z.string().nullable().optional(),
  workflowItem: z.number().int().nullable().optional(),
  createdAt: z.string(),
  /** The run this one replays or redrives (triggerType replay or redrive). */
  replayOf: id.nullable(),
  /** The target version the run is pinned to (Dify: the workflow_id), when pinned. */
  versionPin: z.string().nullable(),
  /** The output gate's result, when the task has one and the job succeeded. */
  checks: OutputChecks.nullable(),
  /**
   * A `scheduled` run due but kept waiting: for its provider pool (queued) or by a used-up budget
   * (held until the next period); shown by GET /runs/{id} when the node that answers holds the run.
   */
  waiting: RunWaiting.nullable().optional(),
});
export type Run = z.infer<typeof Run>;

export const RunLogEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  stream: z.enum(['stdout', 'stderr', 'system']),
  text: z.string(),
});
export type RunLogEntry = z.infer<typeof RunLogEntry>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item));

export const RunListQuery = z.strictObject({
  namespace: namespaceName.optional(),
  taskId: z.coerce.number().int().positive().optional(),
  appId: z.coerce.number().int().positive().optional(),
  status: csv(RunStatus).optional(),
  triggerType: csv(TriggerType).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const LogQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

// ---------------------------------------------------------------- apps, namespaces, calendars

export const AppCreate = z.strictObject({
  namespace: namespaceName.optional(),
  appName: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit',
    ),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  maxConcurrency: z.number().int().min(1).max(100_000).nullable().optional(),
  /** A token and cost budget of all the app's runs; null: none. */
  budget: Budget.nullable().optional(),
});
export const AppUpdate = patchOf(AppCreate.omit({ namespace: true, appName: true }));
export const App = z.object({
  id,
  namespace: z.string(),
  appName: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  maxConcurrency: z.number().nullable(),
  budget: Budget.nullable().optional(),
  /** In full only in the answer to creation and rotation; masked everywhere else. */
  accessToken: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type App = z.infer<typeof App>;

export const NamespaceCreate = z.strictObject({
  name: namespaceName,
  description: z.string().max(2000).optional(),
});
export const Namespace = z.object({
  id,
  name: z.string(),
  description: z.string().nullable(),
  budget: Budget.nullable().optional(),
  createdAt: z.string(),
});
export type Namespace = z.infer<typeof Namespace>;

export const CalendarCreate = z.strictObject({
  namespace: namespaceName.optional(),
  name: z.string().min(1).max(200),
  timezone: z.string().min(1).default('UTC'),
  dates: z.array(localDate).max(20_000),
});
export const CalendarUpdate = patchOf(CalendarCreate.omit({ namespace: true }));
export const Calendar = z.object({
  id,
  namespace: z.string(),
  name: z.string(),
  timezone: z.string(),
  dates: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Calendar = z.infer<typeof Calendar>;

// ---------------------------------------------------------------- envelopes

export const ListQuery = z.strictObject({
  namespace: namespaceName.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const TaskListQuery = ListQuery.extend({
  appId: z.coerce.number().int().positive().optional(),
  enabled: z.enum(['true', 'false']).optional(),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export interface List<T> {
  items: T[];
  nextCursor: string | null;
}

export const ApiError = z.object({
  /** `field`: the dotted path of the request field at fault; null (older servers: absent) when none. */
  error: z.object({ code: z.string(), message: z.string(), field: z.string().nullable().optional() }),
});
export type ApiError = z.infer<typeof ApiError>;

export const NextFiresQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(1000).default(10),
  from: isoInstant.optional(),
});
