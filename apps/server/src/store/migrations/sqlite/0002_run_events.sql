-- Run events: a job's event track (for Dify: every workflow and node event), kept verbatim with
-- its receive time. `seq` is the event's position in its run (1, 2, …), given by the run as it
-- records, so a live stream and a replay from the table agree on it and a repeated batch write
-- (after a failed commit) inserts nothing twice. `truncated` = 1 when `data` was cut at the size
-- limit.
CREATE TABLE run_events (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  truncated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, seq)
);

-- What a job needs to pick a running run up again after a restart (for Dify: the workflow run
-- and task ids). NULL: the run cannot be resumed and recovery finishes it `lost`.
ALTER TABLE runs ADD COLUMN checkpoint TEXT;
