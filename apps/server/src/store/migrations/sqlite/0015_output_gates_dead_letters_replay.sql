-- Output gates, dead letters, replay (issue 20).
-- A task's output gate (JSON: schema, required fields, patterns, ranges, lengths, judge).
ALTER TABLE tasks ADD COLUMN output_gate TEXT;
-- The run this one replays or redrives (its original), the target version it is pinned to
-- (Dify: the workflow_id the original ran), and the output gate's result (JSON).
ALTER TABLE runs ADD COLUMN replay_of INTEGER;
ALTER TABLE runs ADD COLUMN version_pin TEXT;
ALTER TABLE runs ADD COLUMN checks TEXT;
-- What was done with a dead letter (a final failure with no retry after it): redriven (with the
-- new run) or discarded. The dead-letter list itself is a query over runs, so the settlement
-- writes nothing for it; one row per run: a dead letter is handled once.
CREATE TABLE dead_letter_actions (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  action TEXT NOT NULL,
  new_run_id INTEGER,
  actor TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX runs_replay_of_idx ON runs (replay_of) WHERE replay_of IS NOT NULL;
