-- Kairos schema, version 7 (SQLite): contacts, contact groups, alert rules, alerts and their
-- delivery outbox (issue 15). Append-only: once released, change it with a new file.

-- Someone (or something) to tell. webhook: JSON {url, kind, secret?}, the secret sealed with the
-- cluster's secret key (SecretBox).
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  webhook TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT contacts_namespace_name_key UNIQUE (namespace_id, name)
);

CREATE TABLE contact_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT contact_groups_namespace_name_key UNIQUE (namespace_id, name)
);

-- A deleted contact leaves its groups; a deleted group drops its memberships.
CREATE TABLE contact_group_members (
  group_id INTEGER NOT NULL REFERENCES contact_groups (id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX contact_group_members_contact_idx ON contact_group_members (contact_id);

-- scope: exactly one of task_id / app_id / (neither: the whole namespace). notify: JSON
-- {contacts: [ids], groups: [ids], channels?: [...]}; templates: JSON {channel: text}.
CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  scope_task_id INTEGER REFERENCES tasks (id) ON DELETE CASCADE,
  scope_app_id INTEGER REFERENCES apps (id) ON DELETE CASCADE,
  on_kind TEXT NOT NULL,
  threshold REAL,
  window_seconds INTEGER,
  notify TEXT NOT NULL,
  silence_seconds INTEGER NOT NULL,
  muted_until INTEGER,
  enabled INTEGER NOT NULL DEFAULT 1,
  templates TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX alert_rules_namespace_idx ON alert_rules (namespace_id);

-- One alert: a rule fired (or recovered, or a test). dedup_key names the target within the rule
-- (a task, an app); repeats within the rule's silence window are counted here, not re-sent.
-- facts: JSON (status, error, figure...), enough to render every channel's message.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id INTEGER REFERENCES alert_rules (id) ON DELETE SET NULL,
  namespace_id INTEGER NOT NULL,
  on_kind TEXT NOT NULL,
  state TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  app_id INTEGER,
  task_id INTEGER,
  run_id INTEGER,
  facts TEXT NOT NULL,
  repeats INTEGER NOT NULL DEFAULT 0,
  last_repeat_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX alerts_rule_dedup_idx ON alerts (rule_id, dedup_key, created_at);
CREATE INDEX alerts_namespace_created_idx ON alerts (namespace_id, created_at);

-- The outbox: one row per alert, contact and channel. A node takes a due row by setting its
-- lease; `sent_at` is written after the channel accepted it (see docs/alerting.md on duplicates).
CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT,
  sent_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (status, next_attempt_at);
CREATE INDEX alert_deliveries_alert_idx ON alert_deliveries (alert_id);
