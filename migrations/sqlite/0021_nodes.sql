-- Several nodes on one database (issue 15).
--
-- The search change log: every write that changes a searchable document
-- appends (kind, doc_id) in its own transaction; every node reads the log
-- from the last sequence its own index applied (kept in the index's commit
-- payload) and applies it in batches. kind '*' asks every node for a full
-- rebuild.
CREATE TABLE search_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX search_changes_created ON search_changes(created_at);
-- Each node's progress, so the log is truncated only below what the slowest
-- node still needs (nodes not seen for the retention window are forgotten).
CREATE TABLE search_nodes (
    node_id TEXT PRIMARY KEY,
    applied_seq INTEGER NOT NULL,
    documents INTEGER NOT NULL DEFAULT 0,
    seen_at TEXT NOT NULL
);
-- The highest sequence removed from the log: a node behind it rebuilds.
CREATE TABLE search_log_state (
    id INTEGER PRIMARY KEY,
    truncated_through INTEGER NOT NULL
);
INSERT INTO search_log_state (id, truncated_through) VALUES (1, 0);

-- Files every node reads (PostgreSQL): the bytes of an attachment or a
-- publication file in parts of at most 1 MiB, written in the transaction of
-- the row that points at them. SQLite keeps its folder.
CREATE TABLE file_blobs (
    storage_key TEXT NOT NULL,
    part INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (storage_key, part)
);

-- Secrets every node shares (the reply-address signing key when the
-- configuration gives none).
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Fair job queues: a queue per family of kinds, picked in turn, each
-- through its own index of pending jobs by due time.
ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
UPDATE jobs SET queue = CASE
    WHEN kind = 'mail.notify' AND payload LIKE '%"template":"survey"%' THEN 'survey'
    WHEN kind = 'mail.notify' THEN 'mail'
    WHEN kind LIKE 'search.%' THEN 'search'
    WHEN kind = 'steering.indicators' THEN 'steering'
    ELSE 'default' END
WHERE done_at IS NULL;
-- Index updates are no longer jobs: every node's index catches up from the
-- change log (an index without a sequence is rebuilt once).
UPDATE jobs SET done_at = created_at, dedup_key = NULL, locked_until = NULL
WHERE kind = 'search.index' AND done_at IS NULL;
CREATE INDEX jobs_queue_due ON jobs(queue, run_at) WHERE done_at IS NULL;
