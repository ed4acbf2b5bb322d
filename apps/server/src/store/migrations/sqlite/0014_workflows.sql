-- Workflows (issue 19): child tasks, workflow definitions with their versions, and workflow runs.
--
-- A task may name tasks to trigger when one of its runs succeeds (JSON array of task ids). A
-- task with workflow_id is one a workflow made for itself (its scheduled fires, or a node's
-- inline task definition): it is not listed among the tasks and goes with its workflow.
ALTER TABLE tasks ADD COLUMN child_task_ids TEXT;
ALTER TABLE tasks ADD COLUMN workflow_id INTEGER;
CREATE INDEX tasks_workflow_id_idx ON tasks (workflow_id);

-- A child task's run names the run that triggered it; a node run names its workflow run, node
-- and, for forEach, its item.
ALTER TABLE runs ADD COLUMN triggered_by INTEGER;
ALTER TABLE runs ADD COLUMN workflow_run_id INTEGER;
ALTER TABLE runs ADD COLUMN workflow_node TEXT;
ALTER TABLE runs ADD COLUMN workflow_item INTEGER;
CREATE INDEX runs_workflow_run_id_idx ON runs (workflow_run_id, workflow_node) WHERE workflow_run_id IS NOT NULL;

-- definition: JSON of the current version (schedule, concurrency, timeout, input, nodes, edges,
-- each node's task id resolved); driver_task_id: the hidden task whose fires start runs.
CREATE TABLE workflows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  app_id INTEGER NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  description TEXT,
  enabled INTEGER NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  driver_task_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT workflows_namespace_name_key UNIQUE (namespace_id, name)
);
CREATE INDEX workflows_namespace_id_idx ON workflows (namespace_id, id);

-- Every version as it was saved: a workflow run keeps the version it started with.
CREATE TABLE workflow_versions (
  workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

-- advance_owed: a node ended (or the run started) and its successors are still to be decided;
-- state_version grows with every change of the run's nodes (compare-and-set of the advancer).
-- driver_run_id: the fire of the hidden task that started it (unique: a fire starts one run).
CREATE TABLE workflow_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  input TEXT,
  resumed_from INTEGER,
  driver_run_id INTEGER,
  deadline_at INTEGER,
  advance_owed INTEGER NOT NULL,
  state_version INTEGER NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  CONSTRAINT workflow_runs_driver_run_key UNIQUE (driver_run_id)
);
CREATE INDEX workflow_runs_workflow_id_idx ON workflow_runs (workflow_id, id);
CREATE INDEX workflow_runs_namespace_id_idx ON workflow_runs (namespace_id, id);
CREATE INDEX workflow_runs_status_idx ON workflow_runs (status, advance_owed);

-- One row per node of a workflow run; items_*: a forEach node's items in all, started and ended.
CREATE TABLE workflow_run_nodes (
  workflow_run_id INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  node_key TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  items_total INTEGER,
  items_started INTEGER NOT NULL,
  items_done INTEGER NOT NULL,
  PRIMARY KEY (workflow_run_id, node_key)
);
