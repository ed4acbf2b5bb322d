-- Kairos schema, version 1 (SQLite). Append-only: once released, change it with a new file.
-- Instants are integer epoch milliseconds; JSON is TEXT (kept verbatim, key order included);
-- booleans are INTEGER 0/1.

CREATE TABLE namespaces (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  CONSTRAINT namespaces_name_key UNIQUE (name)
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE apps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  app_name TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  max_concurrency INTEGER,
  access_token_hash TEXT NOT NULL,
  access_token_hint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT apps_namespace_app_name_key UNIQUE (namespace_id, app_name)
);

CREATE TABLE calendars (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  timezone TEXT NOT NULL,
  dates TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT calendars_namespace_name_key UNIQUE (namespace_id, name)
);

-- calendar_id mirrors schedule.calendar.id so that the foreign key, not a check-then-delete,
-- stops a calendar in use from being deleted.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  app_id INTEGER NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL,
  config TEXT NOT NULL,
  schedule TEXT NOT NULL,
  calendar_id INTEGER REFERENCES calendars (id),
  timeout_seconds REAL,
  retry TEXT NOT NULL,
  concurrency TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  next_fire_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_enabled_next_fire_at_idx ON tasks (enabled, next_fire_at);
CREATE INDEX tasks_namespace_id_idx ON tasks (namespace_id, id);
CREATE INDEX tasks_app_id_idx ON tasks (app_id, id);
CREATE INDEX tasks_calendar_id_idx ON tasks (calendar_id);

-- NULL slot_at / idempotency_key never collide: SQLite treats NULLs as distinct in UNIQUE.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  app_id INTEGER NOT NULL REFERENCES apps (id),
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  trigger_type TEXT NOT NULL,
  status TEXT NOT NULL,
  slot_at INTEGER,
  scheduled_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  duration_ms INTEGER,
  attempt INTEGER NOT NULL,
  retry_of INTEGER,
  input TEXT,
  output TEXT,
  error TEXT,
  executor TEXT,
  usage TEXT,
  idempotency_key TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  cancel_requested_at INTEGER,
  created_at INTEGER NOT NULL,
  CONSTRAINT runs_task_slot_key UNIQUE (task_id, slot_at),
  CONSTRAINT runs_task_idempotency_key UNIQUE (task_id, idempotency_key)
);
CREATE INDEX runs_status_lease_expires_at_idx ON runs (status, lease_expires_at);
CREATE INDEX runs_lease_owner_status_idx ON runs (lease_owner, status);
CREATE INDEX runs_task_status_idx ON runs (task_id, status);
CREATE INDEX runs_app_status_idx ON runs (app_id, status);
CREATE INDEX runs_namespace_id_idx ON runs (namespace_id, id);
CREATE INDEX runs_task_id_idx ON runs (task_id, id);

-- id doubles as the log's sequence number: global, increasing, so "after seq N" pages work.
CREATE TABLE run_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  stream TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX run_logs_run_id_idx ON run_logs (run_id, id);
