-- Schema version 8: each partner cluster's SME roster, its shortlists, and a cache of embedded texts
-- for matching. Everything here belongs to one cluster (cluster_id, a registry partner-cluster id);
-- the crawled pages and organisations stay shared.

CREATE TABLE smes (
    id               INTEGER PRIMARY KEY,
    cluster_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,              -- normalised name: re-importing the same SME updates it
    website          TEXT,
    website_key      TEXT,                       -- host (without www.) and path
    country          TEXT,                       -- ISO 3166-1 alpha-2
    capabilities     TEXT NOT NULL DEFAULT '',   -- what the SME says it does, as imported
    organisation_id  TEXT REFERENCES organisations(id),  -- its own website crawled as an ad-hoc organisation
    profile          TEXT NOT NULL DEFAULT '{}', -- JSON: applications and role read from the capability text
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (cluster_id, name_key)
);
CREATE INDEX smes_cluster ON smes(cluster_id);

CREATE TABLE shortlists (
    id          INTEGER PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (cluster_id, name)
);

CREATE TABLE shortlist_items (
    id               INTEGER PRIMARY KEY,
    shortlist_id     INTEGER NOT NULL REFERENCES shortlists(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,           -- 1, 2, ... in the order people arranged them
    kind             TEXT NOT NULL CHECK (kind IN ('page', 'organisation', 'match')),
    page_id          INTEGER REFERENCES pages(id) ON DELETE SET NULL,
    organisation_id  TEXT,
    sme_id           INTEGER REFERENCES smes(id) ON DELETE SET NULL,
    application      TEXT,                       -- the application the item's evidence is for (a match's first shared one)
    score            REAL,                       -- a match's score when it was added
    reasons          TEXT NOT NULL DEFAULT '[]', -- JSON list: a match's reasons when it was added
    status           TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'interested', 'not-relevant')),
    note             TEXT NOT NULL DEFAULT '',
    owner            TEXT NOT NULL DEFAULT '',
    added_at         TEXT NOT NULL
);
CREATE INDEX shortlist_items_list ON shortlist_items(shortlist_id, position);

CREATE TABLE text_vectors (
    text_hash  TEXT PRIMARY KEY,                 -- sha256 of the embedded text
    vector     BLOB NOT NULL                     -- float32 MiniLM vector
);
