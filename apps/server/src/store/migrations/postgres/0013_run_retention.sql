-- Run history retention per namespace (issue 17): how many days runs are kept after they
-- finished, how many of each task's newest runs are kept, and how many days their logs and
-- events are kept (shorter than the runs if wished). NULL: the server's default (retentionDays,
-- retentionRunsPerTask, retentionLogDays); 0: no limit of that kind. A namespace without a row
-- uses the defaults. The pruner (retention/run-pruner.ts) applies them in small batches.
CREATE TABLE namespace_retention (
  namespace_id BIGINT PRIMARY KEY REFERENCES namespaces (id) ON DELETE CASCADE,
  keep_days INTEGER,
  keep_runs_per_task INTEGER,
  keep_logs_days INTEGER,
  updated_at BIGINT NOT NULL
);
-- The run list filtered by status alone (no namespace: an admin's view), newest first: without
-- it the first page read every run of the status and sorted them (134 ms at 1,000,000 runs).
CREATE INDEX runs_status_id_idx ON runs (status, id);
