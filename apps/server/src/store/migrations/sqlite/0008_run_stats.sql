-- Run statistics for the console's dashboard and GET /api/v1/stats/runs (issue 14), kept as runs
-- settle so the statistics never scan the run table: one row per (namespace, app, task, minute
-- of the finish, final status), added to in the transaction that finishes the runs
-- (run-stats-rollup.ts). Minutes are epoch ms floored to 60,000.
CREATE TABLE run_stats (
  namespace_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  bucket_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  runs INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  cost REAL NOT NULL,
  duration_ms INTEGER NOT NULL,
  max_duration_ms INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, bucket_at, app_id, task_id, status)
);
CREATE INDEX run_stats_app_idx ON run_stats (app_id, bucket_at);
CREATE INDEX run_stats_task_idx ON run_stats (task_id, bucket_at);
-- The execution list filtered by namespace and status, newest first, on a large run table.
CREATE INDEX runs_namespace_status_idx ON runs (namespace_id, status, id);
