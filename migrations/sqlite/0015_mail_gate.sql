-- Mail gateway (issue 20): the ledger of the Message-IDs already handled,
-- so that a message delivered twice makes one ticket; the per-mailbox rule
-- for senders who are neither an account nor a contact of the CRM; and the
-- quarantine's verdict of sender authentication, shown to the agent who
-- reviews a held message.
CREATE TABLE mail_ledger (
    message_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    ticket_id TEXT REFERENCES tickets(id)
);

-- mailbox: the bare address the message was delivered to (`*` for any);
-- unknown_sender: 'quarantaine' or 'ticket' (opened for triage under the
-- mailbox's institution and product).
CREATE TABLE mail_routes (
    mailbox TEXT PRIMARY KEY,
    unknown_sender TEXT NOT NULL,
    institution_id TEXT REFERENCES institutions(id),
    product_id TEXT REFERENCES products(id),
    updated_at TEXT NOT NULL
);

ALTER TABLE mail_quarantine ADD COLUMN auth_verdict TEXT;
ALTER TABLE mail_quarantine ADD COLUMN linked_ticket_id TEXT REFERENCES tickets(id);
