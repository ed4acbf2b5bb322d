-- Kairos schema, version 16 (SQLite): token and cost budgets, provider pacing pools and priority
-- (issue 20). Append-only: once released, change it with a new file.

-- A provider pacing pool: the runs of the tasks naming it start at most so many per minute, use
-- at most so many tokens per minute, and run at most so many at once (NULL: no such limit).
CREATE TABLE pools (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  description TEXT,
  requests_per_minute INTEGER,
  tokens_per_minute INTEGER,
  concurrency INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT pools_namespace_name_key UNIQUE (namespace_id, name)
);

-- Higher goes first among queued runs of an app or a pool.
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
-- The pool its runs wait for; the foreign key refuses deleting a pool in use.
ALTER TABLE tasks ADD COLUMN pool_id INTEGER REFERENCES pools (id);
CREATE INDEX tasks_pool_id_idx ON tasks (pool_id) WHERE pool_id IS NOT NULL;
-- Budgets, JSON ({tokens, cost, currency, period, timezone, onExceeded, stopWhenExceeded}); NULL: none.
ALTER TABLE tasks ADD COLUMN budget TEXT;
ALTER TABLE apps ADD COLUMN budget TEXT;
ALTER TABLE namespaces ADD COLUMN budget TEXT;

ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
