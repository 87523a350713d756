-- Cooperative support: teams, service levels and calendars as data,
-- contracts per institution, tickets with their messages, history and
-- attachments, cooperation between institutions, incidents, knowledge base,
-- mail quarantine.

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lead_id TEXT REFERENCES users(id),
    email TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);

-- Routing: which team handles a product.
CREATE TABLE product_teams (
    product_id TEXT PRIMARY KEY REFERENCES products(id),
    team_id TEXT NOT NULL REFERENCES teams(id)
);

CREATE TABLE product_modules (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    UNIQUE (product_id, name)
);

-- A service level: per severity, first-response and resolution targets in
-- business minutes, as JSON {"bloquant":{"first_response":..,"resolution":..},..}.
CREATE TABLE service_levels (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    targets TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A business calendar: hours, holidays rules, closures, as JSON.
CREATE TABLE business_calendars (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE service_contracts (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    level_id TEXT NOT NULL REFERENCES service_levels(id),
    calendar_id TEXT NOT NULL REFERENCES business_calendars(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX service_contracts_institution ON service_contracts(institution_id, starts_on);

-- Support entitlement (the yearly mutualised fee covers the product).
ALTER TABLE deployments ADD COLUMN support_covered INTEGER NOT NULL DEFAULT 1;

CREATE TABLE ticket_counters (
    year INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT
);
CREATE INDEX incidents_product ON incidents(product_id, status);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    requester_id TEXT REFERENCES users(id),
    requester_contact_id TEXT REFERENCES contacts(id),
    requester_name TEXT NOT NULL,
    requester_email TEXT,
    product_id TEXT NOT NULL REFERENCES products(id),
    module TEXT,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    team_id TEXT REFERENCES teams(id),
    assignee_id TEXT REFERENCES users(id),
    shared INTEGER NOT NULL DEFAULT 0,
    share_requester INTEGER NOT NULL DEFAULT 0,
    share_attachments INTEGER NOT NULL DEFAULT 0,
    incident_id TEXT REFERENCES incidents(id),
    level_code TEXT,
    channel TEXT NOT NULL DEFAULT 'web',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    -- Contractual deadlines, computed from the contract and stored.
    first_response_due_at TEXT,
    resolution_due_at TEXT,
    -- The agent's own estimate, never mixed with the contractual deadline.
    agent_estimate_at TEXT,
    paused_minutes INTEGER NOT NULL DEFAULT 0,
    editor_minutes INTEGER NOT NULL DEFAULT 0,
    last_status_at TEXT NOT NULL
);
CREATE INDEX tickets_institution ON tickets(institution_id, created_at);
CREATE INDEX tickets_queue ON tickets(team_id, status, resolution_due_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_product ON tickets(product_id, status, shared);
CREATE INDEX tickets_incident ON tickets(incident_id);

CREATE TABLE ticket_messages (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    author_id TEXT REFERENCES users(id),
    author_name TEXT NOT NULL,
    -- 'public' (seen by the institution) or 'internal' (agents only).
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT 'web',
    mail_message_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, created_at);
CREATE INDEX ticket_messages_mail ON ticket_messages(mail_message_id);

CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    field TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, at);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    message_id TEXT REFERENCES ticket_messages(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

-- Other institutions following a shared ticket; affected = "nous aussi".
CREATE TABLE ticket_followers (
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    user_id TEXT REFERENCES users(id),
    affected INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, institution_id)
);

CREATE TABLE workarounds (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    institution_id TEXT REFERENCES institutions(id),
    author_id TEXT REFERENCES users(id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    version TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    source_ticket_id TEXT REFERENCES tickets(id),
    author_id TEXT REFERENCES users(id),
    review_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT
);
CREATE INDEX articles_product ON articles(product_id, status);

CREATE TABLE mail_quarantine (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_address TEXT,
    subject TEXT,
    raw TEXT NOT NULL,
    status TEXT NOT NULL,
    handled_by TEXT REFERENCES users(id),
    handled_at TEXT
);

CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);
