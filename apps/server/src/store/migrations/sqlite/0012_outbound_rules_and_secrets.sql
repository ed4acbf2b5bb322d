-- Kairos schema, version 12 (SQLite): a namespace's outbound destination rules and named secrets
-- (issue 16). Append-only: once released, change it with a new file.

-- JSON arrays of CIDRs; NULL: no rules of the namespace's own (the server's rules apply).
ALTER TABLE namespaces ADD COLUMN outbound_allow TEXT;
ALTER TABLE namespaces ADD COLUMN outbound_deny TEXT;

-- A secret task configs refer to by name ({"$secret": "reports-token"}); the value sealed with
-- the cluster's secret key (SecretBox), never returned by the API.
CREATE TABLE secrets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  description TEXT,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT secrets_namespace_name_key UNIQUE (namespace_id, name)
);
