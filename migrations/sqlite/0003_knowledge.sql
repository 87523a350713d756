-- Knowledge base: folded text of an article (title and body, lower case,
-- accents removed) for the list filter, until the search index serves it;
-- and an index for the agents' "à revoir" list (published, review date past).

ALTER TABLE articles ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_review ON articles(status, review_on);
CREATE INDEX articles_source_ticket ON articles(source_ticket_id);
