-- A pull executor's every poll asks for its kill requests: without an index of its own that
-- question read every execution the executor ever had (the status index does not cover it), so
-- polls slowed down as history grew (at 2,500 runs/s, pull dispatch fell to ~100 runs/s within
-- a minute). Kill requests are rare: a partial index holds only the pending ones.
CREATE INDEX executions_kill_requested_idx ON executions (app_id, executor_address)
  WHERE kill_requested_at IS NOT NULL;
