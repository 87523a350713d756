-- The SLA watchdog: every warning (target near) and breach (target missed)
-- it raised, once per ticket, target, kind and deadline; and the settings
-- admins edit (the share of a target left that triggers a warning).
CREATE TABLE sla_alerts (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    recipients TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (ticket_id, target, kind, due_at)
);
CREATE INDEX sla_alerts_created ON sla_alerts(created_at);

CREATE TABLE app_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
