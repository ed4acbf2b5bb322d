/**
 * The tables as Kysely sees them: snake_case columns, instants as epoch-ms numbers, JSON as TEXT.
 * Both dialects share these types; row-mapping.ts turns rows into records and back.
 */
import type { Generated } from 'kysely';

/**
 * SQLite stores booleans as INTEGER 0/1 and PostgreSQL as BOOLEAN. We always write 0/1, which
 * PostgreSQL accepts for a boolean parameter, and read either shape back (row-mapping.ts).
 */
export type DbBool = number | boolean;

export interface NamespacesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  /** Migration 0016: the namespace's budget (JSON), or null. */
  budget?: string | null;
  created_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  role: string;
  created_at: number;
  /** JSON: ["alpha", …] or "*" (migration 0010, like the columns below). */
  namespaces: Generated<string>;
  token_hint: string | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_by: string | null;
}

/** Migration 0010: console users (a password hash, or an OpenID Connect identity). */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  role: string;
  /** JSON: ["alpha", …] or "*" */
  namespaces: string;
  created_at: number;
  deleted_at: number | null;
}

/** Migration 0010: console sessions; the cookie holds the secret, this its hash. */
export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  csrf_token: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Migration 0010: every change through the API, and sign-ins. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_type: string | null;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  namespace_id: number | null;
  /** JSON */
  before: string | null;
  /** JSON */
  after: string | null;
  client: string | null;
}

export interface AppsTable {
  id: Generated<number>;
  namespace_id: number;
  app_name: string;
  name: string;
  description: string | null;
  max_concurrency: number | null;
  /** Migration 0016: the app's budget (JSON), or null. */
  budget: string | null;
  access_token_hash: string;
  access_token_hint: string;
  created_at: number;
  updated_at: number;
}

export interface CalendarsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  timezone: string;
  /** JSON array of `YYYY-MM-DD`. */
  dates: string;
  created_at: number;
  updated_at: number;
}

export interface TasksTable {
  id: Generated<number>;
  namespace_id: number;
  app_id: number;
  name: string;
  description: string | null;
  type: string;
  config: string;
  schedule: string;
  /** Mirrors schedule.calendar.id, so a foreign key guards calendars in use. */
  calendar_id: number | null;
  timeout_seconds: number | null;
  retry: string;
  concurrency: string;
  enabled: DbBool;
  next_fire_at: number | null;
  /** Migration 0016: priority, pool and budget (JSON). */
  priority: Generated<number>;
  pool_id: number | null;
  budget: string | null;
  created_at: number;
  updated_at: number;
  /** JSON array of task ids; migration 0014 (like workflow_id: the workflow a hidden task is for). */
  child_task_ids?: string | null;
  workflow_id?: number | null;
  /** JSON: the output gate (0015). */
  output_gate?: string | null;
}

export interface RunsTable {
  id: Generated<number>;
  task_id: number;
  app_id: number;
  namespace_id: number;
  trigger_type: string;
  status: string;
  slot_at: number | null;
  scheduled_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  attempt: number;
  retry_of: number | null;
  input: string | null;
  output: string | null;
  error: string | null;
  executor: string | null;
  usage: string | null;
  idempotency_key: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested_at: number | null;
  effect_at: number | null;
  /** Migration 0016. */
  priority: Generated<number>;
  created_at: number;
  /** JSON; migration 0002. */
  checkpoint?: string | null;
  /** Migration 0014: the parent run of a child task's run; a node run's workflow run, node, item. */
  triggered_by?: number | null;
  workflow_run_id?: number | null;
  workflow_node?: string | null;
  workflow_item?: number | null;
  /** The run replayed or redriven by this one (0015). */
  replay_of?: number | null;
  /** The target version the run is pinned to (0015; Dify: a workflow_id). */
  version_pin?: string | null;
  /** JSON: the output gate's result (0015). */
  checks?: string | null;
}

export interface RunLogsTable {
  id: Generated<number>;
  run_id: number;
  at: number;
  stream: string;
  text: string;
}

export interface RunEventsTable {
  run_id: number;
  seq: number;
  at: number;
  kind: string;
  data: string;
  truncated: DbBool;
}

/** Per-minute sums of settled runs (0008), kept by run-stats-rollup.ts. */
export interface RunStatsTable {
  namespace_id: number;
  app_id: number;
  task_id: number;
  bucket_at: number;
  status: string;
  runs: number;
  tokens: number;
  cost: number;
  duration_ms: number;
  max_duration_ms: number;
}

/** A namespace's retention settings (0013); NULL: the server's default, 0: no limit. */
export interface NamespaceRetentionTable {
  namespace_id: number;
  keep_days: number | null;
  keep_runs_per_task: number | null;
  keep_logs_days: number | null;
  updated_at: number;
}

/** What was done with a dead letter (0015): `redriven` (new_run_id) or `discarded`. */
export interface DeadLetterActionsTable {
  run_id: number;
  namespace_id: number;
  action: string;
  new_run_id: number | null;
  actor: string | null;
  at: number;
}

/** Migration 0017: batch runs over a dataset (batches/). JSON columns are TEXT. */
export interface BatchesTable {
  id: Generated<number>;
  namespace_id: number;
  task_id: number;
  name: string | null;
  status: string;
  concurrency: number;
  pool: string | null;
  input: string | null;
  source: string;
  total: number;
  invalid: Generated<number>;
  succeeded: Generated<number>;
  failed: Generated<number>;
  cancelled: Generated<number>;
  tokens: Generated<number>;
  cost: Generated<number>;
  currency: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** On a cluster: the node feeding the batch, and until when its lease holds. */
  feeder_node?: string | null;
  feeder_expires_at?: number | null;
}

export interface BatchItemsTable {
  batch_id: number;
  seq: number;
  status: string;
  input: string | null;
  attempt: Generated<number>;
  run_id: number | null;
  output: string | null;
  error: string | null;
  tokens: number | null;
  cost: number | null;
  finished_at: number | null;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  namespaces: NamespacesTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  sessions: SessionsTable;
  apps: AppsTable;
  calendars: CalendarsTable;
  tasks: TasksTable;
  runs: RunsTable;
  run_logs: RunLogsTable;
  run_events: RunEventsTable;
  run_stats: RunStatsTable;
  /** The same sums per 5 minutes, all tasks of an app together (task_id 0). */
  run_stats_5m: RunStatsTable;
  /** The same sums per hour, all tasks of an app together (task_id 0). */
  run_stats_hourly: RunStatsTable;
  /** The same sums per hour and task. */
  run_stats_hourly_task: RunStatsTable;
  /** The same sums per day and task. */
  run_stats_daily: RunStatsTable;
  namespace_retention: NamespaceRetentionTable;
  dead_letter_actions: DeadLetterActionsTable;
  batches: BatchesTable;
  batch_items: BatchItemsTable;
  kairos_migrations: MigrationsTable;
}
