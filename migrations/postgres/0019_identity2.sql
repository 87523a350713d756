-- Identity, second step: sessions people can see and end, one-use links
-- (password reset, invitations), a security log per account, and the
-- second factor.

-- A session shows where it was opened and when it was last used.
ALTER TABLE sessions ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

-- One-use links sent by mail: `reset` (forgotten password, 30 minutes) and
-- `invitation` (a referent invites a colleague). Only the hash of the
-- secret is stored, drawn when the mail is sent (the job holds only `id`);
-- `used_at` makes a link serve once.
CREATE TABLE account_links (
    id TEXT PRIMARY KEY,
    token_hash TEXT UNIQUE,
    purpose TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX account_links_user ON account_links(user_id, purpose);

-- The security log: sign-ins (success and failure, with the method),
-- password and factor changes, single sign-on links, invitations, sessions
-- ended. `institution_id` is the account's at the time, so a referent or a
-- member never reads another institution's lines.
CREATE TABLE security_events (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    institution_id TEXT,
    actor_id TEXT,
    kind TEXT NOT NULL,
    method TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_user ON security_events(user_id, at);
CREATE INDEX security_events_at ON security_events(at);

-- Second factor (TOTP): the shared secret once confirmed, and recovery
-- codes stored as hashes, each usable once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);
