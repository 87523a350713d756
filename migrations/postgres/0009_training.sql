-- Training: the catalogue, sessions with a seat counter, registrations.
-- A seat is taken by a conditional update of the session's counter
-- (seats_taken < capacity), which both engines serialise on the row: no
-- session is ever overbooked, however many requests arrive at once.
CREATE TABLE trainings (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    modality TEXT NOT NULL,
    domain_code TEXT,
    product_id TEXT REFERENCES products(id),
    half_days BIGINT NOT NULL,
    objectives TEXT,
    audience TEXT,
    prerequisites TEXT,
    moodle_url TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE training_sessions (
    id TEXT PRIMARY KEY,
    training_id TEXT NOT NULL REFERENCES trainings(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    place TEXT,
    capacity BIGINT NOT NULL,
    seats_taken BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    institution_id TEXT REFERENCES institutions(id),
    created_at TEXT NOT NULL
);
CREATE INDEX training_sessions_training ON training_sessions(training_id, starts_on);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES training_sessions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    status TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_at TEXT,
    UNIQUE (session_id, user_id)
);
CREATE INDEX registrations_session ON registrations(session_id, status, requested_at);
