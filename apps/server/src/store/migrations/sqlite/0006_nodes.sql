-- The nodes that used this database (issue 13). With SQLite there is one live node, the process
-- holding the file; a row left `alive` by a crashed process is marked `dead` at the next start.
CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  -- starting | alive | stopping | stopped | dead
  state TEXT NOT NULL,
  version TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  url TEXT,
  lock_key INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  last_heartbeat_at INTEGER NOT NULL,
  stopped_at INTEGER
);
