-- Run statistics for the console's dashboard and GET /api/v1/stats/runs (issue 14), kept as runs
-- settle so the statistics never scan the run table: the sums of the runs that finished in a
-- bucket (epoch ms floored to its width), added to in the transaction that finishes the runs
-- (run-stats-rollup.ts). Three grains, because a month of per-minute, per-task rows is about as
-- many rows as runs when tasks run every minute:
-- run_stats: per (minute, namespace, app, task, status): short ranges and one task's series.
CREATE TABLE run_stats (
  namespace_id BIGINT NOT NULL,
  app_id BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  bucket_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  runs BIGINT NOT NULL,
  tokens BIGINT NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  duration_ms BIGINT NOT NULL,
  max_duration_ms BIGINT NOT NULL,
  PRIMARY KEY (bucket_at, namespace_id, app_id, task_id, status)
);
CREATE INDEX run_stats_app_idx ON run_stats (app_id, bucket_at);
CREATE INDEX run_stats_task_idx ON run_stats (task_id, bucket_at);
-- run_stats_hourly: per (hour, namespace, app, status), task_id 0: long ranges' series.
CREATE TABLE run_stats_hourly (
  namespace_id BIGINT NOT NULL,
  app_id BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  bucket_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  runs BIGINT NOT NULL,
  tokens BIGINT NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  duration_ms BIGINT NOT NULL,
  max_duration_ms BIGINT NOT NULL,
  PRIMARY KEY (bucket_at, namespace_id, app_id, task_id, status)
);
CREATE INDEX run_stats_hourly_app_idx ON run_stats_hourly (app_id, bucket_at);
-- run_stats_daily: per (day, namespace, app, task, status): long ranges' per-task sums.
CREATE TABLE run_stats_daily (
  namespace_id BIGINT NOT NULL,
  app_id BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  bucket_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  runs BIGINT NOT NULL,
  tokens BIGINT NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  duration_ms BIGINT NOT NULL,
  max_duration_ms BIGINT NOT NULL,
  PRIMARY KEY (bucket_at, namespace_id, app_id, task_id, status)
);
CREATE INDEX run_stats_daily_app_idx ON run_stats_daily (app_id, bucket_at);
CREATE INDEX run_stats_daily_task_idx ON run_stats_daily (task_id, bucket_at);
-- The execution list, newest first, filtered by namespace and status or by app (as by task,
-- runs_task_id_idx): with 1,000,000 runs, an app's first page took ~860 ms without it. The app
-- index's keys never change; the namespace one moves with each status change, as the status
-- indexes of 0001 do.
CREATE INDEX runs_namespace_status_idx ON runs (namespace_id, status, id);
CREATE INDEX runs_app_id_idx ON runs (app_id, id);
