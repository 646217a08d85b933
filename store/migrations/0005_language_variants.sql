-- Schema version 5: the language versions a page declares (<link rel="alternate" hreflang>), JSON
-- {hreflang: url}; pages linked this way are one page in several languages and are shown once.

ALTER TABLE pages ADD COLUMN language_variants TEXT NOT NULL DEFAULT '{}';
