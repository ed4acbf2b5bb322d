-- Kairos schema, version 22 (SQLite): the indexes behind the scheduler's own questions hold active
-- runs only (store/active-runs.ts). Append-only: once released, change it with a new file.
--
-- (task_id, status), (app_id, status): how many of a task's or an app's runs are running;
-- (lease_owner, status): the runs a node holds; (status, lease_expires_at): whose lease expired.
-- Kept whole, each held every run ever finished, and each run's start and end moved its entries
-- in all four. The run list's own indexes ((status, id), (namespace_id, status, id), (task_id, id),
-- (app_id, id)) stay whole.
DROP INDEX runs_task_status_idx;
DROP INDEX runs_app_status_idx;
DROP INDEX runs_lease_owner_status_idx;
DROP INDEX runs_status_lease_expires_at_idx;
CREATE INDEX runs_active_task_idx ON runs (task_id, status) WHERE status IN ('scheduled', 'running');
CREATE INDEX runs_active_app_idx ON runs (app_id, status) WHERE status IN ('scheduled', 'running');
CREATE INDEX runs_active_lease_owner_idx ON runs (lease_owner, status) WHERE status IN ('scheduled', 'running');
CREATE INDEX runs_active_lease_expires_at_idx ON runs (status, lease_expires_at)
  WHERE status IN ('scheduled', 'running');
