/**
 * The one Store contract. SQLite (sqlite-store.ts) and PostgreSQL (postgres-store.ts) implement it
 * and pass one shared test suite (test/store/store-contract.ts). Domain operations only: callers
 * never see SQL.
 */
import type { DefinitionIds, DefinitionWrites } from './definition-writes.js';
import type { RunError, RunStatus, TriggerType, Usage } from '@kairos/protocol';
import type {
  AppRecord,
  CalendarRecord,
  NamespaceRecord,
  ResumableRun,
  RunEventRecord,
  RunLogRecord,
  RunRecord,
  TaskRecord,
} from './records.js';
import type { ExecutorStore } from './executor-store.js';
import type { ExecutionRecord, NewExecution } from './executor-records.js';
import type { NodeStore } from './node-store.js';
import type { AlertStore } from './alert-store.js';
import type { RetentionStore } from './retention-store.js';
import type { NewAlert } from './alert-records.js';
import type { OutboundRulesStore } from './outbound-rules-queries.js';
import type { SecretStore } from './secret-queries.js';
import type { AccessStore } from './access-store.js';
import type { ApiTokenRecord } from './access-records.js';
import type { WorkflowStore } from './workflow-store.js';
import type { SettlementSuccessors } from './settlement-batch.js';
import type { DeadLetterStore } from './dead-letter-store.js';
import type { BatchStore } from './batch-store.js';
import type { PacingStore } from './pacing-queries.js';
import type { ClusterPaceStore } from './cluster-pace-queries.js';

export type { ApiTokenRecord };
export type { RunStatsBucketRow, RunStatsQuery, RunStatsTaskRow };
import { type NamespaceFilter } from './namespace-scope.js';
import type { RunStatsBucketRow, RunStatsQuery, RunStatsTaskRow } from './run-stats-store.js';

export type { AfterBatchSuccessors, SettlementSuccessors } from './settlement-batch.js';

export type {
  ResumableRun,
  RunEventRecord,
  AppRecord,
  CalendarRecord,
  NamespaceRecord,
  RunLogRecord,
  RunRecord,
  TaskRecord,
};

export interface StoreCapabilities {
  /**
   * True when this process is the only writer (SQLite: a second process is refused). Admission
   * and lease recovery may then trust in-memory state; with false (PostgreSQL), several nodes
   * share the database and must decide in it.
   */
  exclusiveWriter: boolean;
}

/** A page of a list, newest first unless said otherwise. `nextCursor` is opaque. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

export type NewApp = Omit<AppRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type AppPatch = Partial<
  Pick<AppRecord, 'name' | 'description' | 'maxConcurrency' | 'accessTokenHash' | 'accessTokenHint'>
> & { budget?: AppRecord['budget'] };
export type NewCalendar = Omit<CalendarRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type CalendarPatch = Partial<Pick<CalendarRecord, 'name' | 'timezone' | 'dates'>>;
export type NewTask = Omit<TaskRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'namespaceId' | 'createdAt' | 'updatedAt'>>;

export interface NewRun {
  taskId: number;
  appId: number;
  namespaceId: number;
  triggerType: TriggerType;
  status: 'scheduled' | 'skipped';
  slotAt: number | null;
  scheduledAt: number;
  attempt: number;
  retryOf: number | null;
  input: unknown;
  /** Orders queued runs (higher first); default 0. */
  priority?: number | undefined;
  /** Only for runs inserted already `skipped` (misfire accounting). */
  error?: RunError | null;
  finishedAt?: number | null;
  idempotencyKey?: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  /** A child task's run: the run whose success triggered it. */
  triggeredBy?: number | null | undefined;
  /** A workflow's node run (a retry keeps them). */
  workflowRunId?: number | null | undefined;
  workflowNode?: string | null | undefined;
  workflowItem?: number | null | undefined;
  /** The run this one replays or redrives. */
  replayOf?: number | null | undefined;
  /** The target version to run (Dify: a workflow_id); a retry keeps its run's. */
  versionPin?: string | null | undefined;
}

export interface RunFilter {
  namespaceId?: NamespaceFilter | undefined;
  taskId?: number | undefined;
  appId?: number | undefined;
  statuses?: RunStatus[] | undefined;
  triggerTypes?: TriggerType[] | undefined;
  /** scheduledAt >= from */
  from?: number | undefined;
  /** scheduledAt < to */
  to?: number | undefined;
}

export interface TaskFilter {
  namespaceId?: NamespaceFilter | undefined;
  appId?: number | undefined;
  enabled?: boolean | undefined;
}

/** What the planner decides for one due task, inside the claim transaction. */
export interface TaskPlan {
  runs: NewRun[];
  /** The task's new next_fire_at (null: nothing more to plan, e.g. a fired one_time). */
  nextFireAt: number | null;
}

export interface ClaimOptions {
  /** Tasks with next_fire_at <= horizon are planned. */
  horizon: number;
  limit: number;
}

export interface StartRequest {
  runId: number;
  startedAt: number;
  executor: string | null;
  leaseOwner: string;
  leaseExpiresAt: number;
  /**
   * The executions the run's job will dispatch (an executor task), inserted in the start's own
   * transaction if, and only if, the run starts: one commit for both instead of one each.
   */
  executions?: NewExecution[] | undefined;
}

/** A start's result with the executions written with it (none unless it started). */
export interface StartOutcome {
  result: AdmissionResult;
  executions: ExecutionRecord[];
}

export interface AdmissionRequest extends StartRequest {
  taskId: number;
  appId: number;
  /** Running runs of the task allowed at once; null = no limit. */
  taskMax: number | null;
  /** Running runs of the app allowed at once; null = no limit. */
  appMax: number | null;
}

/** `gone`: the run is no longer `scheduled` (cancelled meanwhile, or taken by another node). */
export type AdmissionResult = 'started' | 'task_busy' | 'app_busy' | 'gone';

/** How a run ended, as its settler saw it. */
export interface RunEnd {
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'skipped' | 'lost'>;
  finishedAt: number;
  durationMs: number | null;
  output?: unknown;
  error: RunError | null;
  usage?: Usage | null | undefined;
  /** Who ran it (the run's `executor` field); absent keeps what is stored. */
  executor?: string | null | undefined;
  /** When its job made its first outside effect; absent keeps what is stored. */
  effectAt?: number | null | undefined;
  /** Whether the retry policy may try again. */
  retryable: boolean;
}

/** A run's end and everything that follows it, decided by runs/settlement.ts. */
export interface Settlement {
  runId: number;
  /** The status the run must still have for this settlement to apply (compare-and-set). */
  expected: 'scheduled' | 'running';
  end: RunEnd;
  /** The retry run to insert with the end (its idempotency key makes it once). */
  retry: NewRun | null;
  /** fixed_delay: the task's next fire, set only while the task is enabled and has none. */
  nextFire: { taskId: number; at: number } | null;
  /** The alerts the end raises, written with it (absent or null: no rule watches the run). */
  alerts?: SettlementAlerts | null | undefined;
  /** What else the end triggers (child tasks, a workflow node's end), written with it. */
  successors?: SettlementSuccessors | null | undefined;
}

/**
 * The settler's decision on alerts, completed inside the settlement's transaction: it needs the
 * statuses of the task's runs finished before this one (up to `previousDepth`, newest first,
 * cancelled and skipped left out), read there.
 */
export interface SettlementAlerts {
  taskId: number;
  previousDepth: number;
  decide(previousStatuses: readonly RunStatus[]): NewAlert[];
}

export interface SettleResult {
  /** False: the run was not in the expected status any more (someone else ended or started it). */
  settled: boolean;
  /** The retry run this settlement inserted. */
  retry: RunRecord | null;
  /** Alert deliveries the settlement wrote (the delivery worker is woken when > 0). */
  deliveries?: number;
  /** Runs its successors inserted (child tasks' runs), to be held until their instant. */
  successors?: RunRecord[];
}

export interface RecoveryResult {
  /** `scheduled` runs whose owner's lease expired, now leased to the caller. */
  adopted: RunRecord[];
  /** `running` runs whose owner's lease expired, now settled (as `lost`) by the caller's decision. */
  lost: { run: RunRecord; retry: RunRecord | null; deliveries?: number; successors?: RunRecord[] }[];
}

/** Decides how recovery settles a running run found without a live lease (runs/settlement.ts). */
export type DecideLost = (run: RunRecord, task: TaskRecord | undefined) => Settlement;

/**
 * The executor operations are declared in executor-store.ts, the nodes' in
 * node-store.ts, the alerting ones in alert-store.ts, the access ones in
 * access-store.ts, the pools' and budgets' in pacing-queries.ts.
 */
export interface Store
  extends
    ExecutorStore,
    NodeStore,
    AlertStore,
    OutboundRulesStore,
    SecretStore,
    AccessStore,
    RetentionStore,
    DeadLetterStore,
    BatchStore,
    PacingStore,
    ClusterPaceStore,
    WorkflowStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  close(): Promise<void>;
  /**
   * SQLite only: a consistent copy of the live database written to `file` (SQLite's online
   * backup, while the server keeps running). PostgreSQL has pg_dump and leaves it out.
   */
  backupTo?(file: string): Promise<void>;

  // ------------------------------------------------------------ namespaces
  /** Creates the namespace if missing; returns it either way. */
  ensureNamespace(name: string): Promise<NamespaceRecord>;
  /** Throws StoreConflictError if the name is taken. */
  createNamespace(ns: { name: string; description: string | null }): Promise<NamespaceRecord>;
  getNamespace(id: number): Promise<NamespaceRecord | undefined>;
  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined>;
  listNamespaces(): Promise<NamespaceRecord[]>;

  // ------------------------------------------------------------ apps
  /** Throws StoreConflictError if (namespaceId, appName) is taken. */
  createApp(app: NewApp): Promise<AppRecord>;
  getApp(id: number): Promise<AppRecord | undefined>;
  getAppByName(namespaceId: number, appName: string): Promise<AppRecord | undefined>;
  listApps(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<AppRecord>>;
  updateApp(id: number, patch: AppPatch): Promise<AppRecord | undefined>;
  /** Throws StoreConflictError when tasks still belong to the app. */
  deleteApp(id: number): Promise<boolean>;

  // ------------------------------------------------------------ calendars
  /** Throws StoreConflictError if (namespaceId, name) is taken. */
  createCalendar(calendar: NewCalendar): Promise<CalendarRecord>;
  getCalendar(id: number): Promise<CalendarRecord | undefined>;
  getCalendarByName(namespaceId: number, name: string): Promise<CalendarRecord | undefined>;
  listCalendars(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<CalendarRecord>>;
  updateCalendar(id: number, patch: CalendarPatch): Promise<CalendarRecord | undefined>;
  /** Throws StoreConflictError when a task's schedule still refers to it. */
  deleteCalendar(id: number): Promise<boolean>;

  // ------------------------------------------------------------ definitions (apply)
  /**
   * Creates, changes and deletes apps, calendars and tasks in one transaction: all of it or, on
   * any failing statement, none of it (definition-writes.ts). Answers the ids created.
   */
  applyDefinitions(writes: DefinitionWrites): Promise<DefinitionIds>;

  // ------------------------------------------------------------ tasks
  createTask(task: NewTask): Promise<TaskRecord>;
  getTask(id: number): Promise<TaskRecord | undefined>;
  /** The tasks of these ids that exist, in one read (in no particular order). */
  getTasks(ids: readonly number[]): Promise<TaskRecord[]>;
  listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRecord>>;
  updateTask(id: number, patch: TaskPatch): Promise<TaskRecord | undefined>;
  /** Deletes the task and its runs and logs. */
  deleteTask(id: number): Promise<boolean>;
  countTasks(): Promise<number>;
  /** Tasks whose schedule refers to the calendar (for re-planning when it changes). */
  listTasksUsingCalendar(calendarId: number): Promise<TaskRecord[]>;

  // ------------------------------------------------------------ scheduler hot path
  /**
   * In ONE transaction: picks enabled tasks with next_fire_at <= horizon (oldest first, at most
   * `limit`, skipping rows another node holds), calls `plan` for each, inserts the planned runs
   * (a run whose (taskId, slotAt) exists already is silently not inserted: that is what makes a
   * slot fire once) and sets next_fire_at. Returns the runs actually inserted.
   * `plan` must be synchronous and pure.
   */
  claimDueTasks(options: ClaimOptions, plan: (task: TaskRecord) => TaskPlan): Promise<RunRecord[]>;

  // ------------------------------------------------------------ runs
  /**
   * Inserts a run. With an idempotencyKey already used for the same task, inserts nothing and
   * returns the existing run with created=false.
   */
  insertRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Inserts runs in one statement (so one transaction), in order; like insertRun, a run whose
   * idempotency key is used already for its task (also earlier in the same call) is not
   * inserted and the existing run is returned with created=false. Runs with a slot are not
   * for this call (claimDueTasks plans those).
   */
  insertRuns(runs: NewRun[]): Promise<{ run: RunRecord; created: boolean }[]>;
  getRun(id: number): Promise<RunRecord | undefined>;
  listRuns(filter: RunFilter, page: PageRequest): Promise<Page<RunRecord>>;
  countRuns(filter: RunFilter): Promise<number>;
  /**
   * Marks `scheduled` runs `running`; runs not `scheduled` any more are left alone. Returns, per
   * request, whether this call started it (false: cancelled meanwhile, or started by another node).
   */
  markRunsStarted(starts: StartRequest[]): Promise<boolean[]>;
  /**
   * markRunsStarted, and in the same transaction the `executions` of each run it starts.
   * Per request: `started` with its executions as stored, or `gone`.
   */
  startRunsWithExecutions(starts: StartRequest[]): Promise<StartOutcome[]>;
  /**
   * For shared (cluster) admission, in one transaction, in order: counts the task's and app's
   * running runs (locking the task and app rows on PostgreSQL so two nodes cannot both admit)
   * and starts the run when both are under their limit.
   */
  admitRuns(requests: AdmissionRequest[]): Promise<AdmissionResult[]>;
  /** admitRuns, and in the same transaction the `executions` of each run it starts. */
  admitRunsWithExecutions(requests: AdmissionRequest[]): Promise<StartOutcome[]>;
  /**
   * Ends runs and applies what follows, in ONE transaction per call: for each settlement whose
   * run is still in its `expected` status, sets the end, inserts the retry run (skipped when its
   * idempotency key exists) and sets the fixed-delay task's next fire (only while the task is
   * enabled, still fixed_delay, and has none). A failure rolls back the whole call. Returns, per
   * settlement, whether it applied and the retry it inserted.
   */
  settleRuns(settlements: Settlement[]): Promise<SettleResult[]>;
  /**
   * Records a cancel request on a run that is running (its node aborts it); returns the run as
   * stored, or undefined when it does not exist. A scheduled run is cancelled by settling it.
   */
  requestCancel(runId: number, at: number): Promise<RunRecord | undefined>;
  /** Ids of runs leased to `owner`, still running, whose cancel was requested. */
  listCancelRequested(owner: string): Promise<number[]>;
  /** Running or scheduled runs of a task (oldest first). */
  listActiveRuns(taskId: number): Promise<RunRecord[]>;
  /** Counts of `running` runs per task and per app (to seed in-memory admission at start). */
  countRunning(): Promise<{ byTask: Map<number, number>; byApp: Map<number, number> }>;

  // ------------------------------------------------------------ leases and recovery
  /** Extends the lease of every non-terminal run the owner holds. */
  renewLeases(owner: string, leaseExpiresAt: number): Promise<number>;
  /**
   * In ONE transaction, takes over non-terminal runs whose lease expired before `now` (or, with
   * `includeLive`, any lease not held by `owner`: SQLite at start, when no other process can hold
   * one): adopts the `scheduled` ones and settles the `running` ones as `decideLost` says (with
   * their retry and next fire, as settleRuns). A run without a lease (leaseExpiresAt null) counts
   * as expired: nobody holds it.
   */
  recoverRuns(
    options: { owner: string; now: number; leaseExpiresAt: number; includeLive: boolean },
    decideLost: DecideLost,
  ): Promise<RecoveryResult>;

  // ------------------------------------------------------------ statistics
  /** Per-bucket and per-task sums from the run_stats rollup (never a scan of the run table). */
  runStats(query: RunStatsQuery): Promise<{ buckets: RunStatsBucketRow[]; tasks: RunStatsTaskRow[] }>;

  // ------------------------------------------------------------ logs
  appendRunLogs(entries: Omit<RunLogRecord, 'seq'>[]): Promise<void>;
  listRunLogs(runId: number, afterSeq: number, limit: number): Promise<RunLogRecord[]>;

  // ------------------------------------------------------------ events and checkpoints
  /** Inserts events; an event whose (runId, seq) is stored already is skipped. */
  appendRunEvents(entries: RunEventRecord[]): Promise<void>;
  /** A run's events with seq > afterSeq, in order, at most `limit`. */
  listRunEvents(runId: number, afterSeq: number, limit: number): Promise<RunEventRecord[]>;
  /** The highest seq stored for a run; 0 when it has none. */
  lastRunEventSeq(runId: number): Promise<number>;
  /** Saves what a job needs to resume a `running` run after a restart (ignored once terminal). */
  setRunCheckpoint(runId: number, checkpoint: unknown): Promise<void>;
  /**
   * Like recoverRuns for `running` runs that hold a checkpoint: takes their lease instead of
   * finishing them `lost`, so their job type can resume them. Call before recoverRuns.
   */
  adoptResumableRuns(options: {
    owner: string;
    now: number;
    leaseExpiresAt: number;
    includeLive: boolean;
  }): Promise<ResumableRun[]>;
}

/** A uniqueness rule was broken (name taken...). */
export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly constraint: string,
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}
