-- Idempotent API writes: the first answer to a POST carrying an
-- Idempotency-Key, kept per caller for 24 hours, so that a client retrying
-- after a cut connection gets it again instead of creating a second record.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    location TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
