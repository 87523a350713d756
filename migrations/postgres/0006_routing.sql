-- Routing rules edited by admins: the first rule (by position) whose
-- conditions all hold (product, keyword in the text, institution; an empty
-- condition holds for any ticket) names the team to route to. They apply
-- before any suggestion learnt from the history.

CREATE TABLE routing_rules (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    product_id TEXT REFERENCES products(id),
    keyword TEXT,
    institution_id TEXT REFERENCES institutions(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    created_at TEXT NOT NULL
);
CREATE INDEX routing_rules_position ON routing_rules(position, created_at);
