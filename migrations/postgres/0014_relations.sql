-- Member relations (issue 6): complaints (réclamations) qualified by
-- touchpoint ("irritant"), severity, owner, department (an agency team) and
-- product, treated through corrective actions and closed with an answer
-- the member sees; internal notes are the agency's only. Campaigns of
-- qualified contacts: institutions to contact, each assigned to a manager,
-- with the log of contacts made (outcome, data corrected). The Comité de la
-- relation établissements: members (a contact or an agency account) and
-- meetings with agenda and minutes in Markdown.
-- Personal data: people are referenced by contact_id / user_id, never
-- copied (names, e-mails, phones live in contacts and users only).
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    contact_id TEXT REFERENCES contacts(id),
    filed_by TEXT REFERENCES users(id),
    channel TEXT NOT NULL,
    touchpoint TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    product_id TEXT REFERENCES products(id),
    -- The ticket (perhaps opened by mail) an agent converted into this complaint.
    ticket_id TEXT REFERENCES tickets(id),
    team_id TEXT REFERENCES teams(id),
    owner_id TEXT REFERENCES users(id),
    due_on TEXT,
    status TEXT NOT NULL,
    answer TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX complaints_institution ON complaints(institution_id);
CREATE INDEX complaints_created ON complaints(created_at);

CREATE TABLE complaint_notes (
    id TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    author_id TEXT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX complaint_notes_complaint ON complaint_notes(complaint_id);

CREATE TABLE corrective_actions (
    id TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    title TEXT NOT NULL,
    details TEXT,
    owner_id TEXT REFERENCES users(id),
    due_on TEXT,
    status TEXT NOT NULL,
    done_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX corrective_actions_complaint ON corrective_actions(complaint_id);

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE campaign_targets (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    manager_id TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, institution_id)
);
CREATE INDEX campaign_targets_campaign ON campaign_targets(campaign_id);

CREATE TABLE campaign_contacts (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL REFERENCES campaign_targets(id),
    contacted_on TEXT NOT NULL,
    contact_id TEXT REFERENCES contacts(id),
    outcome TEXT NOT NULL,
    corrections TEXT,
    notes TEXT,
    recorded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX campaign_contacts_target ON campaign_contacts(target_id);

CREATE TABLE comite_members (
    id TEXT PRIMARY KEY,
    contact_id TEXT REFERENCES contacts(id),
    user_id TEXT REFERENCES users(id),
    role TEXT NOT NULL,
    since_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE comite_meetings (
    id TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    place TEXT,
    agenda TEXT NOT NULL,
    minutes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX comite_meetings_held ON comite_meetings(held_on);
