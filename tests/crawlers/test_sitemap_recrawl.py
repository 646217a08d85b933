"""Re-crawls trust a sitemap's <lastmod>: pages dated before our last fetch are not requested again."""

import sqlite3

from scout.generated_site import GeneratedSite
from tests.conftest import run_scout, scout_env

PAGES = 40


def test_sitemap_lastmod_spares_requests_for_unchanged_pages_and_fetches_changed_ones(tmp_path):
    env = scout_env(SCOUT_MAX_DEPTH="100", SCOUT_OBEY_ROBOTS_TXT="false")
    with GeneratedSite(pages=PAGES, sitemap_lastmod="2026-01-01") as site:
        run_scout("crawl", "--url", site.url, "--data-dir", str(tmp_path), env=env)
        first_requests = site.requests
        fetched_before = fetch_times(tmp_path)
        site.change(7, "2999-01-01T00:00:00+00:00")
        site.requests = 0
        run_scout("crawl", "--url", site.url, "--data-dir", str(tmp_path), env=env)
        second_requests = site.requests
    with sqlite3.connect(tmp_path / "scout.sqlite3") as database:
        run = dict(zip(("fetched", "new", "changed", "unchanged"), database.execute(
            "SELECT fetched, new, changed, unchanged FROM crawl_runs WHERE id = 2").fetchone()))
    fetched_after = fetch_times(tmp_path)
    assert first_requests >= PAGES
    assert second_requests <= 5, "unchanged pages dated by the sitemap must not be requested"
    assert run["changed"] == 1 and run["new"] == 0
    assert run["unchanged"] >= PAGES - 1
    unchanged_page = next(url for url in fetched_after if url.endswith("/p/8.html"))
    assert fetched_after[unchanged_page] == fetched_before[unchanged_page], "not fetched, so not re-dated"


def fetch_times(data_dir):
    with sqlite3.connect(data_dir / "scout.sqlite3") as database:
        return dict(database.execute("SELECT url, fetched_at FROM pages"))
