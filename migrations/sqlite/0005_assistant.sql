-- What the assistant did: suggestions shown while a member wrote a ticket,
-- suggestions opened, "this solved my problem" (a deflection: no ticket
-- filed) and tickets filed anyway within a week of a deflection.
CREATE TABLE assistant_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    institution_id TEXT REFERENCES institutions(id),
    product_id TEXT,
    query TEXT,
    doc_kind TEXT,
    doc_id TEXT,
    doc_title TEXT,
    ticket_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX assistant_events_kind ON assistant_events(kind, created_at);
CREATE INDEX assistant_events_user ON assistant_events(user_id, kind, created_at);
