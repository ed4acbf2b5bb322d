-- Kairos schema, version 21 (PostgreSQL): provider pools, budgets and batch feeding held across
-- the nodes of a cluster. Append-only: once released, change it with a new file.

-- A pool's shared pace: its request and token buckets (levels as of refilled_at; the token level
-- may go below zero, a debt the refill pays) and its back-off. Nodes take requests from it in
-- small grants, each under this row's lock.
CREATE TABLE pool_paces (
  pool_id BIGINT PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
  requests DOUBLE PRECISION NOT NULL,
  tokens DOUBLE PRECISION NOT NULL,
  refilled_at BIGINT NOT NULL,
  backoff_until BIGINT NOT NULL DEFAULT 0
);

-- The places of a pool's concurrency each node holds, until expires_at (renewed while it holds
-- them; a dead node's places come back when they expire).
CREATE TABLE pool_slots (
  pool_id BIGINT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  node_id TEXT NOT NULL,
  held INTEGER NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (pool_id, node_id)
);

-- What each budget scope ("task:42", "app:7", "namespace:1") used in a period, counted by the
-- nodes as their runs report tokens and settle; the run statistics stay the settled record.
CREATE TABLE budget_counters (
  scope TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  tokens DOUBLE PRECISION NOT NULL DEFAULT 0,
  cost DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, period_start)
);

-- The node feeding a batch (one at a time on a cluster) and until when its lease holds; another
-- node takes the batch once the lease expired (its node died) or was given up (its node stopped).
ALTER TABLE batches ADD COLUMN feeder_node TEXT;
ALTER TABLE batches ADD COLUMN feeder_expires_at BIGINT;
