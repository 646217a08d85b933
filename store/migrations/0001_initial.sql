-- Scout store, schema version 1. The store is the source of truth; every index is rebuilt from it.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT,
    market      TEXT,
    type        TEXT,
    website     TEXT,
    languages   TEXT NOT NULL DEFAULT '[]',   -- JSON list of ISO 639-1 codes
    source      TEXT,
    updated_at  TEXT NOT NULL
);

CREATE TABLE crawl_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',   -- running | finished | failed
    targets     TEXT NOT NULL DEFAULT '[]',        -- JSON list of organisation ids
    fetched     INTEGER NOT NULL DEFAULT 0,
    new         INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    gone        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE pages (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,       -- canonical URL of the fetched resource
    final_url        TEXT NOT NULL,              -- after redirects, as the server answered
    organisation_id  TEXT REFERENCES organisations(id),
    crawl_run_id     INTEGER REFERENCES crawl_runs(id),
    depth            INTEGER,
    http_status      INTEGER,
    content_type     TEXT,
    etag             TEXT,
    last_modified    TEXT,
    body_hash        TEXT,                       -- sha256 of the raw body
    first_seen_at    TEXT NOT NULL,
    last_changed_at  TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    error            TEXT,
    -- Filled by `scout process`:
    title            TEXT,
    text             TEXT,
    content_hash     TEXT,                       -- sha256 of the extracted main text
    language         TEXT,
    processed_body_hash TEXT,                    -- body_hash the NLP results belong to
    processed_at     TEXT,
    -- Filled by `scout index`:
    indexed_content_hash TEXT,
    indexed_at       TEXT
);
CREATE INDEX pages_organisation ON pages(organisation_id);
CREATE INDEX pages_fetched_at ON pages(fetched_at);

CREATE TABLE page_bodies (
    page_id   INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
    body      BLOB NOT NULL,                     -- zlib-compressed raw response body
    encoding  TEXT                               -- charset the server or page declared
);

CREATE TABLE tags (
    page_id      INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    application  TEXT NOT NULL,                  -- A01..A35
    score        REAL NOT NULL,
    evidence     TEXT NOT NULL,
    signal       TEXT NOT NULL,
    PRIMARY KEY (page_id, application)
);
CREATE INDEX tags_application ON tags(application);

CREATE TABLE trl (
    page_id     INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
    cue         TEXT NOT NULL,
    confidence  REAL NOT NULL
);
