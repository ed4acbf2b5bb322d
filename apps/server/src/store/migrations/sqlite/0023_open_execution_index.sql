-- Kairos schema, version 23 (SQLite): the executor index holds open executions only.
-- Append-only: once released, change it with a new file.
--
-- (app_id, executor_address, status) held every execution ever made, and only open ones are asked
-- for: a pull executor's queue, the open counts per executor and per task, and the lost-executor
-- sweep, which found no index to use and read the whole table every few seconds. Its queries
-- state `handle_code IS NULL` (SQLite takes a partial index only when the query states its
-- condition); a completed execution leaves the index.
DROP INDEX executions_app_address_status_idx;
CREATE INDEX executions_open_idx ON executions (app_id, executor_address, status) WHERE handle_code IS NULL;
