-- Files attached to publications (guides, fiches Zoom…). Stored like
-- ticket attachments: under a generated key in the attachments folder,
-- the given name only a display name.
CREATE TABLE publication_files (
    id TEXT PRIMARY KEY,
    publication_id TEXT NOT NULL REFERENCES publications(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX publication_files_publication ON publication_files(publication_id, created_at);
