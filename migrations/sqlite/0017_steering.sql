-- Steering (BRIEF part 5, issue 18): the agency's yearly action plans as
-- data. A plan has units (departments such as DREM or DCSI, and the
-- business domains), units have objectives, objectives have deliverables
-- (owner, due date, status, progress, weight). A deliverable is proved by
-- links to what exists elsewhere (tickets, incidents, trainings, campaigns,
-- publications, documents) and discussed in comments; every change of a
-- deliverable writes an audit_events row (entity 'deliverable'), which is
-- its history.
--
-- indicator_daily holds the daily aggregates the indicators are computed
-- from (one row per day, indicator input, and optional institution /
-- product), so dashboards never scan the ticket tables per request.
CREATE TABLE steering_plans (
    id TEXT PRIMARY KEY,
    year INTEGER NOT NULL UNIQUE,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE steering_units (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES steering_plans(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 'departement' or 'domaine'
    kind TEXT NOT NULL,
    -- the business domain (domains.code) when the unit is one
    domain_code TEXT,
    position INTEGER NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE steering_objectives (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES steering_units(id),
    title TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX steering_objectives_unit ON steering_objectives(unit_id);

CREATE TABLE deliverables (
    id TEXT PRIMARY KEY,
    objective_id TEXT NOT NULL REFERENCES steering_objectives(id),
    -- stable reference within a plan ('2021-DCSI-03'), the import key
    reference TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    owner_id TEXT REFERENCES users(id),
    product_id TEXT REFERENCES products(id),
    starts_on TEXT,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    -- 0..100
    progress INTEGER NOT NULL,
    -- relative weight within its objective, 1..10
    weight INTEGER NOT NULL,
    delivered_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deliverables_objective ON deliverables(objective_id);
CREATE INDEX deliverables_due ON deliverables(status, due_on);

CREATE TABLE deliverable_links (
    id TEXT PRIMARY KEY,
    deliverable_id TEXT NOT NULL REFERENCES deliverables(id),
    -- ticket, incident, training, campaign, publication, document
    kind TEXT NOT NULL,
    -- the id of the linked row, or a URL for a document
    target TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX deliverable_links_deliverable ON deliverable_links(deliverable_id);

CREATE TABLE deliverable_comments (
    id TEXT PRIMARY KEY,
    deliverable_id TEXT NOT NULL REFERENCES deliverables(id),
    author_id TEXT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX deliverable_comments_deliverable ON deliverable_comments(deliverable_id);

CREATE TABLE indicator_daily (
    day TEXT NOT NULL,
    input TEXT NOT NULL,
    -- '' when the figure is agency-wide (keeps the primary key simple on both engines)
    institution_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    numerator INTEGER NOT NULL,
    denominator INTEGER NOT NULL,
    PRIMARY KEY (day, input, institution_id, product_id)
);
CREATE INDEX indicator_daily_input ON indicator_daily(input, day);
