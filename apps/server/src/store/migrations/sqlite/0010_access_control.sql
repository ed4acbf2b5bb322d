-- Access control (issue 16): scoped, expiring, revocable API tokens; console users and their
-- sessions; the audit log. A token or user holds one role in each namespace it names, or in
-- every namespace with '*'; `namespaces` is JSON: ["alpha","beta"] or "*". Tokens existing
-- before this migration are admin tokens for every namespace, as they behaved.
ALTER TABLE api_tokens ADD COLUMN namespaces TEXT NOT NULL DEFAULT '"*"';
ALTER TABLE api_tokens ADD COLUMN token_hint TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN created_by TEXT;

-- Console users: a password (scrypt, see services/password-hash.ts) or an OpenID Connect
-- identity (issuer + subject). Deleting a user keeps the row (deleted_at) for the audit log.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL,
  password_hash TEXT,
  oidc_issuer TEXT,
  oidc_subject TEXT,
  role TEXT NOT NULL,
  namespaces TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER,
  CONSTRAINT users_username_key UNIQUE (username)
);

-- Console sessions: the cookie holds the session secret, the table its hash.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);

-- Every change through the API, and sign-ins (failed ones too). before/after: JSON of the
-- resource as the API shows it, secrets masked; namespace_id null for server-wide things.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_type TEXT,
  actor_id INTEGER,
  actor_name TEXT,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  namespace_id INTEGER,
  before TEXT,
  after TEXT,
  client TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_name, id);
