/**
 * Every table as Kysely sees it, in one place: snake_case columns, instants as epoch-ms numbers,
 * JSON as TEXT. Both dialects share these types; `Database` is the one type a Kysely instance is
 * opened with. The records the rest of the server works with, and the mapping between rows and
 * records, live with their concept (row-mapping.ts, alert-records.ts, workflow-records.ts, …).
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
  /** The namespace's budget (JSON), or null. */
  budget?: string | null;
  /** JSON arrays of CIDRs: the namespace's outbound rules, null when it has none. */
  outbound_allow: string | null;
  outbound_deny: string | null;
  created_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  role: string;
  created_at: number;
  /** JSON: ["alpha", …] or "*". */
  namespaces: Generated<string>;
  token_hint: string | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_by: string | null;
}

/** console users (a password hash, or an OpenID Connect identity). */
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

/** console sessions; the cookie holds the secret, this its hash. */
export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  csrf_token: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** every change through the API, and sign-ins. */
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
  /** The app's budget (JSON), or null. */
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
  /** Priority, pool and budget (JSON). */
  priority: Generated<number>;
  pool_id: number | null;
  budget: string | null;
  created_at: number;
  updated_at: number;
  /** JSON array of task ids (like workflow_id: the workflow a hidden task is for). */
  child_task_ids?: string | null;
  workflow_id?: number | null;
  /** JSON: the output gate. */
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
  /** Orders the run among queued runs (higher first). */
  priority: Generated<number>;
  created_at: number;
  /** The job's last checkpoint (JSON), from which a resumed run continues. */
  checkpoint?: string | null;
  /** The parent run of a child task's run; a node run's workflow run, node, item. */
  triggered_by?: number | null;
  workflow_run_id?: number | null;
  workflow_node?: string | null;
  workflow_item?: number | null;
  /** The run replayed or redriven by this one. */
  replay_of?: number | null;
  /** The target version the run is pinned to (Dify: a workflow_id). */
  version_pin?: string | null;
  /** JSON: the output gate's result. */
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

/** Per-minute sums of settled runs, kept by run-stats-rollup.ts. */
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

/** A namespace's retention settings; NULL: the server's default, 0: no limit. */
export interface NamespaceRetentionTable {
  namespace_id: number;
  keep_days: number | null;
  keep_runs_per_task: number | null;
  keep_logs_days: number | null;
  updated_at: number;
}

/** What was done with a dead letter: `redriven` (new_run_id) or `discarded`. */
export interface DeadLetterActionsTable {
  run_id: number;
  namespace_id: number;
  action: string;
  new_run_id: number | null;
  actor: string | null;
  at: number;
}

/** batch runs over a dataset (batches/). JSON columns are TEXT. */
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

// ------------------------------------------------------------------ executors

export interface ExecutorsTable {
  id: Generated<number>;
  app_id: number;
  address: string;
  mode: string;
  protocol: string;
  registered_at: number;
  last_heartbeat_at: number;
  removed_at: number | null;
  sealed_token: string | null;
}

export interface AppExecutorAddressesTable {
  app_id: number;
  addresses: string;
  updated_at: number;
}

export interface ExecutionsTable {
  id: Generated<number>;
  run_id: number;
  task_id: number;
  app_id: number;
  shard_index: number;
  shard_total: number;
  executor_address: string;
  status: string;
  trigger_body: string;
  handle_code: number | null;
  handle_msg: string | null;
  retryable: Generated<DbBool>;
  log_lines: Generated<number>;
  kill_requested_at: number | null;
  created_at: number;
  finished_at: number | null;
}

// ------------------------------------------------------------------ nodes

/** The server processes that share the database (node-store.ts). */
export interface NodesTable {
  id: string;
  state: string;
  version: string;
  host: string;
  pid: number;
  url: string | null;
  lock_key: number;
  started_at: number;
  last_heartbeat_at: number;
  stopped_at: number | null;
}

// ------------------------------------------------------------------ alerting

export interface ContactsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  email: string | null;
  phone: string | null;
  webhook: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactGroupsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface ContactGroupMembersTable {
  group_id: number;
  contact_id: number;
  position: number;
}

export interface AlertRulesTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  scope_task_id: number | null;
  scope_app_id: number | null;
  on_kind: string;
  threshold: number | null;
  window_seconds: number | null;
  notify: string;
  silence_seconds: number;
  muted_until: number | null;
  enabled: DbBool;
  templates: string | null;
  created_at: number;
  updated_at: number;
}

export interface AlertsTable {
  id: Generated<number>;
  rule_id: number | null;
  namespace_id: number;
  on_kind: string;
  state: string;
  dedup_key: string;
  app_id: number | null;
  task_id: number | null;
  run_id: number | null;
  facts: string;
  repeats: Generated<number>;
  last_repeat_at: number | null;
  created_at: number;
}

export interface AlertDeliveriesTable {
  id: Generated<number>;
  alert_id: number;
  contact_id: number | null;
  channel: string;
  target: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  created_at: number;
}

// ------------------------------------------------------------------ secrets

/** A named secret; `value` is sealed by the caller (SecretBox) and never leaves the server. */
export interface SecretsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  description: string | null;
  value: string;
  created_at: number;
  updated_at: number;
}

// ------------------------------------------------------------------ workflows

/** A workflow's current definition (JSON); every saved version also in workflow_versions. */
export interface WorkflowsTable {
  id: Generated<number>;
  namespace_id: number;
  app_id: number;
  name: string;
  description: string | null;
  enabled: DbBool;
  version: number;
  definition: string;
  driver_task_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface WorkflowVersionsTable {
  workflow_id: number;
  version: number;
  definition: string;
  created_at: number;
}

export interface WorkflowRunsTable {
  id: Generated<number>;
  workflow_id: number;
  namespace_id: number;
  version: number;
  status: string;
  trigger_type: string;
  input: string | null;
  resumed_from: number | null;
  driver_run_id: number | null;
  deadline_at: number | null;
  advance_owed: number;
  state_version: number;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface WorkflowRunNodesTable {
  workflow_run_id: number;
  node_key: string;
  status: string;
  output: string | null;
  error: string | null;
  items_total: number | null;
  items_started: number;
  items_done: number;
}

// ------------------------------------------------------------------ provider pools

/** A provider pool's limits, shared by the tasks that name it (pacing/). */
export interface PoolsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  description: string | null;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  concurrency: number | null;
  created_at: number;
  updated_at: number;
}

// ------------------------------------------------------------------ the database

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
  executors: ExecutorsTable;
  app_executor_addresses: AppExecutorAddressesTable;
  executions: ExecutionsTable;
  nodes: NodesTable;
  contacts: ContactsTable;
  contact_groups: ContactGroupsTable;
  contact_group_members: ContactGroupMembersTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  secrets: SecretsTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_run_nodes: WorkflowRunNodesTable;
  pools: PoolsTable;
  kairos_migrations: MigrationsTable;
}
