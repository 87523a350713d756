-- Identity and access.
-- Sign-in throttling by client address: failures are counted per
-- (account, address) and per address, never per account alone, so a flood
-- from one address cannot lock the account for its owner elsewhere.
ALTER TABLE login_failures ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_addr ON login_failures(client_addr, failed_at);
CREATE INDEX login_failures_key_addr ON login_failures(login_key, client_addr, failed_at);

-- Single sign-on (OpenID Connect). An institution is recognised by the
-- SIRET numbers of its establishments or by its declared mail domains.
CREATE TABLE institution_identifiers (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX institution_identifiers_inst ON institution_identifiers(institution_id);
-- Accounts created at a first single sign-on wait for the referent (1) or
-- are active at once (0), as the institution chooses.
ALTER TABLE institutions ADD COLUMN sso_pending INTEGER NOT NULL DEFAULT 1;

-- Who a provider's subject is here, once matched.
CREATE TABLE user_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);

-- Sign-in flows under way: state (hashed), nonce and PKCE verifier, one use.
CREATE TABLE oidc_flows (
    state_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A session opened through a provider remembers it, and the ID token to
-- hint the provider's end-session endpoint at sign-out.
ALTER TABLE sessions ADD COLUMN sso_provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
