-- Référentiel, CRM core, accounts and the job outbox.
-- Ids are UUIDv7 text, timestamps RFC 3339 UTC text, dates YYYY-MM-DD text,
-- booleans 0/1 integers, JSON as text: the same SQL runs on both engines.

CREATE TABLE domains (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL,
    institution_id TEXT,
    locale TEXT NOT NULL DEFAULT 'fr',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE institutions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    acronym TEXT,
    kind TEXT NOT NULL,
    region TEXT,
    city TEXT,
    uai TEXT UNIQUE,
    students BIGINT,
    staff BIGINT,
    membership TEXT NOT NULL,
    member_since BIGINT,
    calendar TEXT NOT NULL DEFAULT 'metropole',
    manager_id TEXT REFERENCES users(id),
    tags TEXT NOT NULL DEFAULT '[]',
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX institutions_name ON institutions(name);
CREATE INDEX institutions_manager ON institutions(manager_id);

CREATE INDEX users_institution ON users(institution_id);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    parent_id TEXT REFERENCES components(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    partner TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX components_institution ON components(institution_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    function TEXT NOT NULL,
    title TEXT,
    domains TEXT NOT NULL DEFAULT '[]',
    consent BIGINT NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_institution ON contacts(institution_id, last_name);
CREATE INDEX contacts_email ON contacts(email);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domain_code TEXT NOT NULL REFERENCES domains(code),
    stage TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE releases (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    version TEXT NOT NULL,
    released_on TEXT,
    notes TEXT,
    UNIQUE (product_id, version)
);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    status TEXT NOT NULL,
    wave BIGINT,
    hosting TEXT NOT NULL,
    version TEXT,
    starts_on TEXT,
    ends_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (institution_id, product_id)
);
CREATE INDEX deployments_product ON deployments(product_id, status);

CREATE TABLE conventions (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    reference TEXT,
    product_id TEXT REFERENCES products(id),
    starts_on TEXT,
    ends_on TEXT,
    renewal_alert_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX conventions_institution ON conventions(institution_id);
CREATE INDEX conventions_alert ON conventions(renewal_alert_on);

CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    subject TEXT NOT NULL,
    summary TEXT,
    contact_id TEXT REFERENCES contacts(id),
    author_id TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_institution ON interactions(institution_id, occurred_on);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    interaction_id TEXT REFERENCES interactions(id),
    title TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX tasks_institution ON tasks(institution_id);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    login_key TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(login_key, failed_at);

-- Who changed what: the history every record page can show.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_entity ON audit_events(entity, entity_id, at);

-- The transactional outbox: jobs are inserted in the business transaction
-- and claimed by a conditional update (no SKIP LOCKED: both engines).
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    locked_until TEXT,
    dedup_key TEXT UNIQUE,
    last_error TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
