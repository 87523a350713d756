-- Mail read as people write it (issue 20, items 5 and 6).
-- The quoted history and the sanitised HTML of a message that came by mail,
-- beside its text (ticket_messages.body stays the plain text).
CREATE TABLE mail_message_parts (
    message_id TEXT PRIMARY KEY REFERENCES ticket_messages(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    quoted TEXT,
    html TEXT
);
CREATE INDEX mail_message_parts_ticket ON mail_message_parts(ticket_id);

-- Notifications sent, by their Message-ID, so that a bounce finds the
-- notification (and the ticket) it is about.
CREATE TABLE mail_sent (
    message_id TEXT PRIMARY KEY,
    ticket_id TEXT REFERENCES tickets(id),
    template TEXT NOT NULL,
    recipients TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX mail_sent_ticket ON mail_sent(ticket_id);

-- Delivery failures reported by bounces (RFC 3464), per address, with the
-- notification that bounced when it is known.
CREATE TABLE mail_bounces (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT,
    diagnostic TEXT,
    original_message_id TEXT,
    template TEXT,
    ticket_id TEXT REFERENCES tickets(id)
);
CREATE INDEX mail_bounces_address ON mail_bounces(address);
CREATE INDEX mail_bounces_ticket ON mail_bounces(ticket_id);
