-- Kairos schema, version 3 (SQLite): executors, manual address lists and executions.
-- Append-only: once released, change it with a new file.

-- One row per executor an app has seen: push executors by their base URL, pull executors by
-- `pull://<id>`. Live while last_heartbeat_at is within the dead timeout; dead rows are kept so
-- the API can show when an executor was last seen. removed_at: it said goodbye (registryRemove):
-- not routable any more, but its running work is not lost until the dead timeout.
CREATE TABLE executors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  mode TEXT NOT NULL,
  protocol TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  last_heartbeat_at INTEGER NOT NULL,
  removed_at INTEGER,
  -- The app token this executor proved, sealed with the cluster's secret key (SecretBox): any
  -- node can present it when calling the executor, though only the node it registered with saw it.
  sealed_token TEXT,
  CONSTRAINT executors_app_address_key UNIQUE (app_id, address)
);
CREATE INDEX executors_last_heartbeat_at_idx ON executors (last_heartbeat_at);

-- An app's manually entered executor addresses (XXL-JOB's address_type = 1), JSON array.
CREATE TABLE app_executor_addresses (
  app_id INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
  addresses TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One row per dispatch of a run to an executor (one per shard for a broadcast). The id is the
-- XXL-JOB logId; created_at its logDateTime. handle_code stays NULL until a callback (or the
-- lost-executor monitor) completes it, which happens once: later callbacks change nothing.
CREATE TABLE executions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  shard_index INTEGER NOT NULL,
  shard_total INTEGER NOT NULL,
  executor_address TEXT NOT NULL,
  status TEXT NOT NULL,
  trigger_body TEXT NOT NULL,
  handle_code INTEGER,
  handle_msg TEXT,
  retryable INTEGER NOT NULL DEFAULT 1,
  log_lines INTEGER NOT NULL DEFAULT 0,
  kill_requested_at INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX executions_run_id_idx ON executions (run_id);
CREATE INDEX executions_app_address_status_idx ON executions (app_id, executor_address, status);
