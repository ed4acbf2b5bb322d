-- The nodes of a cluster (issue 13): one row per server process that started on this database.
-- A live node holds a session-level advisory lock keyed by lock_key on a connection of its own;
-- PostgreSQL releases it the moment that connection dies, which is how the other nodes learn of
-- a crash within a second (cluster/node-liveness.ts). last_heartbeat_at is for people and
-- monitoring: liveness is the lock, not the heartbeat.
CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  -- starting | alive | stopping | stopped | dead
  state TEXT NOT NULL,
  version TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  url TEXT,
  lock_key INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  last_heartbeat_at BIGINT NOT NULL,
  stopped_at BIGINT
);
