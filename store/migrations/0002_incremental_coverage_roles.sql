-- Schema version 2: per-organisation crawl counters, gone pages, near-duplicates, and the richer
-- analysis fields (role, regulatory status, Europe-entry signals).

CREATE TABLE crawl_run_organisations (
    run_id           INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL,
    fetched          INTEGER NOT NULL DEFAULT 0,
    new              INTEGER NOT NULL DEFAULT 0,
    changed          INTEGER NOT NULL DEFAULT 0,
    unchanged        INTEGER NOT NULL DEFAULT 0,
    gone             INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    robots_blocked   INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    PRIMARY KEY (run_id, organisation_id)
);

ALTER TABLE crawl_runs ADD COLUMN robots_blocked INTEGER NOT NULL DEFAULT 0;

-- 404/410 answers in a row; at 2 the page is marked gone and leaves the index.
ALTER TABLE pages ADD COLUMN missing_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN gone_at TEXT;

-- Near-duplicates: a page whose text matches an earlier page's is stored as its alias.
ALTER TABLE pages ADD COLUMN simhash TEXT;
ALTER TABLE pages ADD COLUMN duplicate_of INTEGER REFERENCES pages(id);

-- Richer analysis, filled by `scout process`.
ALTER TABLE pages ADD COLUMN role TEXT;
ALTER TABLE pages ADD COLUMN role_evidence TEXT;
ALTER TABLE pages ADD COLUMN regulatory TEXT NOT NULL DEFAULT '[]';    -- JSON list of {authority, status, market, evidence}
ALTER TABLE pages ADD COLUMN europe_entry TEXT NOT NULL DEFAULT '[]';  -- JSON list of {signal, evidence}

CREATE INDEX pages_duplicate_of ON pages(duplicate_of);
