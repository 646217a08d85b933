-- Schema version 9: candidate organisations read from listing pages (member directories, partner,
-- exhibitor, portfolio and start-up lists), each with the listings that name it, and the publication and
-- last-update dates a page states about itself.
--
-- A candidate is one organisation however many listings name it: its registrable domain is unique, and
-- without a website its normalised name stands in. A scout's decision (accepted, rejected) stays with it,
-- so a rejected candidate is never proposed again.

CREATE TABLE candidates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    website TEXT,
    domain TEXT,
    country TEXT,
    applications TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'rejected')),
    organisation_id TEXT,
    first_seen_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE UNIQUE INDEX candidates_by_domain ON candidates (domain) WHERE domain IS NOT NULL;
CREATE INDEX candidates_by_name_key ON candidates (name_key);

CREATE TABLE candidate_listings (
    candidate_id TEXT NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    listed_by TEXT,
    anchor_text TEXT NOT NULL DEFAULT '',
    entry_text TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (candidate_id, page_id)
);

ALTER TABLE pages ADD COLUMN published_date TEXT;
ALTER TABLE pages ADD COLUMN modified_date TEXT;
