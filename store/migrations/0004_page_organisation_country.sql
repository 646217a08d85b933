-- Schema version 4: organisation name and country read from a page's own text, for pages of sites the
-- registry does not describe (ad-hoc --url crawls); the registry's values still win where they exist.

ALTER TABLE pages ADD COLUMN text_organisation TEXT;
ALTER TABLE pages ADD COLUMN text_country TEXT;
