-- Schema version 3: the crawl frontier, so a crawl killed at any moment resumes where it stopped.
-- A URL is written here when scheduled and marked done in the same transaction that stores its response.

CREATE TABLE crawl_frontier (
    run_id           INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    depth            INTEGER NOT NULL DEFAULT 0,
    done             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, url)
);
