-- Member relations (issue 6): satisfaction surveys with personal one-click
-- links, recall tasks after a dissatisfied answer, the relation agent's
-- health indicator with its history and flags, and data protection (reads
-- of a contact's page by agency staff).

-- Questions per kind of survey: `ticket` and `formation` (one question
-- after a closed ticket or an attended training), `annuelle` (the yearly
-- survey of each institution). Scale `1-5`, `0-10` or `texte`.
CREATE TABLE survey_questions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    scale TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (kind, code)
);

INSERT INTO survey_questions (id, kind, code, label, scale, position, active, created_at) VALUES
 ('0190a000-0000-7000-8000-000000000001', 'ticket', 'satisfaction', 'Êtes-vous satisfait·e du traitement de votre demande ?', '1-5', 1, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000002', 'formation', 'satisfaction', 'Êtes-vous satisfait·e de la formation suivie ?', '1-5', 1, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000003', 'annuelle', 'support', 'Satisfaction : assistance et support', '1-5', 1, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000004', 'annuelle', 'formation', 'Satisfaction : formation', '1-5', 2, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000005', 'annuelle', 'produits', 'Satisfaction : qualité des produits', '1-5', 3, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000006', 'annuelle', 'communication', 'Satisfaction : information et communication', '1-5', 4, 1, '2026-01-01T00:00:00Z'),
 ('0190a000-0000-7000-8000-000000000007', 'annuelle', 'recommandation', 'Recommanderiez-vous l''agence à un autre établissement ? (0 = pas du tout, 10 = certainement)', '0-10', 5, 1, '2026-01-01T00:00:00Z');

-- A campaign sends a survey to the contacts of a segment of institutions.
CREATE TABLE survey_campaigns (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    segment TEXT NOT NULL DEFAULT '{}',
    expires_at TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- One invitation per person and context (`context_key` keeps it unique:
-- `ticket:<id>`, `session:<id>:<user>`, `campagne:<id>:<contact>`). The
-- person is a user or a contact, never a copied name or address.
CREATE TABLE survey_invitations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    context_key TEXT NOT NULL UNIQUE,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    user_id TEXT REFERENCES users(id),
    contact_id TEXT REFERENCES contacts(id),
    ticket_id TEXT REFERENCES tickets(id),
    session_id TEXT REFERENCES training_sessions(id),
    campaign_id TEXT REFERENCES survey_campaigns(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reminded_at TEXT,
    answered_at TEXT
);
CREATE INDEX survey_invitations_institution ON survey_invitations(institution_id, created_at);
CREATE INDEX survey_invitations_user ON survey_invitations(user_id);
CREATE INDEX survey_invitations_contact ON survey_invitations(contact_id);
CREATE INDEX survey_invitations_pending ON survey_invitations(answered_at, expires_at);

-- Each mail carries its own random token; only its SHA-256 is kept.
CREATE TABLE survey_tokens (
    token_hash TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES survey_invitations(id),
    created_at TEXT NOT NULL
);
CREATE INDEX survey_tokens_invitation ON survey_tokens(invitation_id);

-- `score`: the 1–5 satisfaction (rounded mean of the 1–5 questions for
-- the yearly survey); `nps`: the 0–10 recommendation, when asked.
CREATE TABLE survey_answers (
    id TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL UNIQUE REFERENCES survey_invitations(id),
    kind TEXT NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    ticket_id TEXT REFERENCES tickets(id),
    session_id TEXT REFERENCES training_sessions(id),
    campaign_id TEXT REFERENCES survey_campaigns(id),
    score INTEGER,
    nps INTEGER,
    comment TEXT,
    answers TEXT NOT NULL DEFAULT '{}',
    answered_at TEXT NOT NULL
);
CREATE INDEX survey_answers_institution ON survey_answers(institution_id, answered_at);

-- A recall task for the key-account manager after a dissatisfied answer.
CREATE TABLE recalls (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    answer_id TEXT NOT NULL UNIQUE REFERENCES survey_answers(id),
    manager_id TEXT REFERENCES users(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT REFERENCES users(id)
);
CREATE INDEX recalls_status ON recalls(status, due_on);
CREATE INDEX recalls_institution ON recalls(institution_id);

-- The relation agent: one health snapshot per institution and day, and a
-- flag when it crosses the threshold or drops.
CREATE TABLE health_snapshots (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    computed_on TEXT NOT NULL,
    score INTEGER NOT NULL,
    factors TEXT NOT NULL,
    PRIMARY KEY (institution_id, computed_on)
);

CREATE TABLE health_flags (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    manager_id TEXT REFERENCES users(id),
    flagged_on TEXT NOT NULL,
    score INTEGER NOT NULL,
    previous INTEGER,
    reasons TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (institution_id, flagged_on)
);
CREATE INDEX health_flags_manager ON health_flags(manager_id, flagged_on);

-- Every read of a contact's page by agency staff.
CREATE TABLE contact_reads (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    user_id TEXT REFERENCES users(id),
    read_at TEXT NOT NULL
);
CREATE INDEX contact_reads_contact ON contact_reads(contact_id, read_at);

-- Erased (pseudonymised) contacts keep their row; this marks them.
ALTER TABLE contacts ADD COLUMN erased_at TEXT;
