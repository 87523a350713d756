-- Ticket attachments. 0002 created an `attachments` table that no code ever
-- wrote to; it is completed here rather than dropped, so that a database
-- with rows added by hand keeps them.
--   file_name      safe display name (never used to build a path)
--   visibility     'public' (the institution sees it) or 'internal' (agents)
--   storage_key    generated `<2 hex>/<32 hex>` under the attachments folder
--   uploaded_by    the account, NULL for mail from outside / deleted users
ALTER TABLE attachments RENAME COLUMN filename TO file_name;
ALTER TABLE attachments ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE attachments ADD COLUMN uploaded_by TEXT REFERENCES users(id);
ALTER TABLE attachments ADD COLUMN uploaded_by_name TEXT NOT NULL DEFAULT '';
-- The index on ticket_id (attachments_ticket) comes from 0002.
