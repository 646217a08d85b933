-- Schema version 6: maturity judged over the page. A page's genre (product, research, directory, ...),
-- the runner-up TRL level, tags that only mention an application (a directory listing others), and the
-- version of the analysis (taxonomy, vocabularies, model, code) that made a page's tags and TRL, so
-- that `scout process` re-analyses pages an older analysis made.

ALTER TABLE pages ADD COLUMN genre TEXT;
ALTER TABLE pages ADD COLUMN analysis_version TEXT;
ALTER TABLE trl ADD COLUMN runner_up INTEGER;
ALTER TABLE tags ADD COLUMN mention INTEGER NOT NULL DEFAULT 0;
