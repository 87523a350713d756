-- Training, the rest of issue 5: session days (one or several, whole or
-- half days, possibly split), trainers (one or a pair), the room's size
-- before the sanitary factor, registrations' waiting order, cancellation,
-- attendance and reminders; the board's dated tariffs; personal calendar
-- tokens; executive cycles with the partner school.
ALTER TABLE trainings ADD COLUMN search_text TEXT;
ALTER TABLE training_sessions ADD COLUMN room_capacity BIGINT;
ALTER TABLE training_sessions ADD COLUMN visio_url TEXT;
ALTER TABLE training_sessions ADD COLUMN half_days BIGINT;

CREATE TABLE session_days (
    session_id TEXT NOT NULL REFERENCES training_sessions(id),
    day TEXT NOT NULL,
    part TEXT NOT NULL,
    PRIMARY KEY (session_id, day, part)
);

CREATE TABLE session_trainers (
    session_id TEXT NOT NULL REFERENCES training_sessions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_trainers_user ON session_trainers(user_id);

ALTER TABLE registrations ADD COLUMN waiting_since TEXT;
ALTER TABLE registrations ADD COLUMN cancelled_at TEXT;
ALTER TABLE registrations ADD COLUMN late_cancel BIGINT NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN attended BIGINT;
ALTER TABLE registrations ADD COLUMN reminded_at TEXT;
ALTER TABLE registrations ADD COLUMN decided_by TEXT;
CREATE INDEX registrations_user ON registrations(user_id, requested_at);
CREATE INDEX registrations_institution ON registrations(institution_id, status);

CREATE TABLE tariffs (
    effective_from TEXT PRIMARY KEY,
    continue_cents BIGINT NOT NULL,
    specific_cents BIGINT NOT NULL,
    trainer_cents BIGINT NOT NULL,
    note TEXT,
    updated_at TEXT NOT NULL
);
INSERT INTO tariffs (effective_from, continue_cents, specific_cents, trainer_cents, note, updated_at)
VALUES ('2012-01-01', 26000, 150000, 40500, 'Tarifs fixés par le Conseil d''administration, inchangés depuis 2012', '2021-01-01T00:00:00.000Z');

CREATE TABLE calendar_tokens (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE exec_cycles (
    id TEXT PRIMARY KEY,
    function_code TEXT NOT NULL,
    title TEXT NOT NULL,
    partner TEXT NOT NULL,
    cohort TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE exec_modules (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES exec_cycles(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    modality TEXT NOT NULL,
    UNIQUE (cycle_id, code)
);

CREATE TABLE exec_participants (
    cycle_id TEXT NOT NULL REFERENCES exec_cycles(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    PRIMARY KEY (cycle_id, contact_id)
);
