-- Communities (issue 5): events of the professional communities (Lab'U,
-- Cafés, webinars, Club'U, forums, conferences) with registrations and
-- attendance, the domains' mailing lists with moderators and subscribers
-- drawn from contacts, and publications tagged by domain and products.
-- A seat is taken by a conditional update of the event's counter
-- (seats_taken < capacity), as for training sessions: never overbooked.
CREATE TABLE community_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    domain_code TEXT REFERENCES domains(code),
    product_id TEXT REFERENCES products(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    format TEXT NOT NULL,
    place TEXT,
    visio_url TEXT,
    capacity INTEGER NOT NULL,
    seats_taken INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    resources TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX community_events_starts ON community_events(starts_at);

CREATE TABLE event_registrations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES community_events(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    institution_id TEXT REFERENCES institutions(id),
    attendance TEXT,
    registered_at TEXT NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_registrations_user ON event_registrations(user_id);

CREATE TABLE mailing_lists (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domain_code TEXT REFERENCES domains(code),
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A moderator is an account (the agency's chargés de domaine) or a contact.
CREATE TABLE mailing_list_moderators (
    id TEXT PRIMARY KEY,
    list_id TEXT NOT NULL REFERENCES mailing_lists(id),
    user_id TEXT REFERENCES users(id),
    contact_id TEXT REFERENCES contacts(id),
    created_at TEXT NOT NULL,
    UNIQUE (list_id, user_id),
    UNIQUE (list_id, contact_id)
);

CREATE TABLE mailing_list_subscriptions (
    list_id TEXT NOT NULL REFERENCES mailing_lists(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    subscribed_at TEXT NOT NULL,
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX mailing_list_subscriptions_contact ON mailing_list_subscriptions(contact_id);

CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    domain_code TEXT REFERENCES domains(code),
    published_on TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX publications_published ON publications(published_on);

CREATE TABLE publication_products (
    publication_id TEXT NOT NULL REFERENCES publications(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    PRIMARY KEY (publication_id, product_id)
);
