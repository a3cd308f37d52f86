-- Authentication: access tokens and API keys (StackStorm's TokenDB and ApiKeyDB).
-- Neither secret is stored: tokens and keys are kept as SHA-256 hashes, so a copy of the
-- database file cannot be used to call the API.
CREATE TABLE auth_tokens (
  token_hash TEXT PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  user       TEXT NOT NULL,
  expiry     INTEGER NOT NULL,            -- ms since the epoch
  metadata   TEXT NOT NULL DEFAULT '{}',  -- JSON object
  service    INTEGER NOT NULL DEFAULT 0,  -- 1 for per-execution tokens
  created_at INTEGER NOT NULL
);
CREATE INDEX auth_tokens_expiry ON auth_tokens (expiry);

CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  user       TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  metadata   TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,               -- ISO-8601 UTC
  enabled    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX api_keys_user ON api_keys (user);
