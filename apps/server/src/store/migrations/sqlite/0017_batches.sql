-- Batch runs over a dataset (issue 20): a batch is one task run once per item of a dataset. Its
-- items live in their own table, not as runs: a batch of 100,000 items inserts its items at
-- once, but its runs are created as the batch's concurrency frees slots (batches/batch-feeder.ts).
-- The counters on the batch row are updated in the same transaction as the items they count, so
-- progress is read from one row, never by counting 100,000 items.
CREATE TABLE batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  name TEXT,
  -- preparing (items being written) | running | paused | cancelled | completed
  status TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  pool TEXT,
  -- JSON object merged under every item's input (the item wins), or NULL
  input TEXT,
  -- JSON: where the items came from ({type: upload|url|run, ...})
  source TEXT NOT NULL,
  total INTEGER NOT NULL,
  invalid INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  cost REAL NOT NULL DEFAULT 0,
  currency TEXT,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX batches_status_idx ON batches (status);
CREATE INDEX batches_namespace_id_idx ON batches (namespace_id, id);
CREATE INDEX batches_task_id_idx ON batches (task_id, id);

-- One row per dataset item; seq is its position (1, 2, ...). run_id is the item's current run
-- (no foreign key: the run pruner may delete runs, the item keeps its result).
-- status: pending | running | succeeded | failed | invalid | cancelled
CREATE TABLE batch_items (
  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  run_id INTEGER,
  output TEXT,
  error TEXT,
  tokens INTEGER,
  cost REAL,
  finished_at INTEGER,
  PRIMARY KEY (batch_id, seq)
);
-- The next pending items in order, the running ones, the failed ones: all by (batch, status).
CREATE INDEX batch_items_status_idx ON batch_items (batch_id, status, seq);
