-- Two more grains of the run statistics (0008), for the dashboard's day: a day of the per-minute,
-- per-task rollup is up to 1,440 rows per task and status, and both the 5-minute series and the
-- per-task sums of a 24-hour range read all of them (~350 ms at 2,000,000 runs on SQLite).
-- run_stats_5m: per (5 minutes, namespace, app, status), task_id 0: series of all tasks.
CREATE TABLE run_stats_5m (
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
CREATE INDEX run_stats_5m_app_idx ON run_stats_5m (app_id, bucket_at);
-- run_stats_hourly_task: per (hour, namespace, app, task, status): the per-task sums of ranges
-- of hours (the edges of a range not on the hour are read from the minutes).
CREATE TABLE run_stats_hourly_task (
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
CREATE INDEX run_stats_hourly_task_app_idx ON run_stats_hourly_task (app_id, bucket_at);
CREATE INDEX run_stats_hourly_task_task_idx ON run_stats_hourly_task (task_id, bucket_at);
-- Filled from the minutes already kept, so the statistics of an upgraded store stay whole.
INSERT INTO run_stats_5m
SELECT namespace_id, app_id, 0, (bucket_at / 300000) * 300000 AS bucket, status, sum(runs), sum(tokens),
  sum(cost), sum(duration_ms), max(max_duration_ms)
FROM run_stats GROUP BY bucket, namespace_id, app_id, status;
INSERT INTO run_stats_hourly_task
SELECT namespace_id, app_id, task_id, (bucket_at / 3600000) * 3600000 AS bucket, status, sum(runs),
  sum(tokens), sum(cost), sum(duration_ms), max(max_duration_ms)
FROM run_stats GROUP BY bucket, namespace_id, app_id, task_id, status;
