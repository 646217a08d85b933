"""The fixture listing site crawled over loopback as an ad-hoc site, then `scout discover`: every listed
organisation becomes one candidate, and nothing is fetched from the candidates' own sites."""

from __future__ import annotations

import pytest

from scout import pipeline
from scout.settings import load_settings
from store import Store
from tests.listing_fixture import LISTING_SITE, layouts, precision_recall
from tests.loopback import serve_directory

pytestmark = pytest.mark.slow


def test_crawled_listings_become_candidates_without_fetching_them(tmp_path):
    expected = {member[0]: member for layout in layouts().values() for member in layout["members"]}
    with serve_directory(LISTING_SITE) as server:
        settings = load_settings(tmp_path, environ={}).replace(download_delay=0.0, autothrottle=False)
        pipeline.crawl(settings, [pipeline.adhoc_organisation(server.base_url + "/")])
        report = pipeline.discover(settings)
    with Store.open(settings.database_path) as store:
        found = [(c.name, c.website) for c in store.candidates() if c.listings]
        fetched_hosts = {row[0].split("/")[2] for row in store._db.execute("SELECT url FROM pages")}
    assert precision_recall(found, list(expected.values())) == (1.0, 1.0)
    assert report.candidates == len(expected) == 31
    assert fetched_hosts == {server.base_url.split("/")[2]}  # candidates are crawled only once accepted
