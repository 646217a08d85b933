"""The spider against a site full of traps: bounded, polite, and incremental on the second visit."""

from __future__ import annotations

import sqlite3
import time
import zlib

import pytest

from crawlers.urls import MAX_CALENDAR_HOPS
from indexer.analysis.extract import extract
from tests.conftest import crawl_records, scout_env
from tests.crawlers.trap_site import HUGE_BYTES, TrapSite

MAX_RESPONSE_BYTES = 1_000_000
CRAWL_ENV = dict(SCOUT_DOWNLOAD_TIMEOUT="2", SCOUT_MAX_RESPONSE_BYTES=str(MAX_RESPONSE_BYTES),
                 SCOUT_MAX_DEPTH="50", SCOUT_MAX_PAGES_PER_ORGANISATION="1000")
CRAWL_TIME_LIMIT_SECONDS = 90
# Loop, two 500s, the timeout and the over-size response; the image is skipped, not failed.
EXPECTED_FAILURES = 5


@pytest.fixture(scope="module")
def site():
    with TrapSite() as trap_site:
        yield trap_site


@pytest.fixture(scope="module")
def crawls(site, tmp_path_factory):
    """Two crawls of the trap site into one store; /changing changes in between."""
    data_dir = tmp_path_factory.mktemp("traps")
    started = time.monotonic()
    first = crawl_records(data_dir, [site.organisation()], env=scout_env(**CRAWL_ENV))
    first_seconds = time.monotonic() - started
    seen_after_first = {
        "if_none_match": site.seen.if_none_match_seen, "not_modified": site.seen.not_modified_sent,
        "paths": list(site.seen.paths),
    }
    site.changing_version = 2
    second = crawl_records(data_dir, [site.organisation()], env=scout_env(**CRAWL_ENV))
    database = sqlite3.connect(data_dir / "scout.sqlite3")
    database.row_factory = sqlite3.Row
    yield {"first": first, "second": second, "seconds": first_seconds, "after_first": seen_after_first,
           "db": database}
    database.close()


def stored_urls(database, pattern: str) -> list[str]:
    return [row[0] for row in database.execute("SELECT url FROM pages WHERE url LIKE ?", (pattern,))]


def stored_body(database, url_pattern: str) -> tuple[bytes, str | None, str | None]:
    row = database.execute(
        """SELECT b.body, b.encoding, p.content_type FROM pages p JOIN page_bodies b ON b.page_id = p.id
           WHERE p.url LIKE ?""", (url_pattern,)).fetchone()
    assert row is not None, f"no stored body for {url_pattern}"
    return zlib.decompress(row["body"]), row["encoding"], row["content_type"]


def test_crawl_finishes_in_bounded_time(crawls):
    assert crawls["first"]["status"] == "finished"
    assert crawls["seconds"] < CRAWL_TIME_LIMIT_SECONDS


def test_endless_calendar_is_cut_short(crawls):
    calendar_pages = stored_urls(crawls["db"], "%/calendar?%")
    assert 1 < len(calendar_pages) <= 2 * MAX_CALENDAR_HOPS + 1


def test_session_and_tracking_variants_are_stored_once(crawls):
    database = crawls["db"]
    [shop] = stored_urls(database, "%/shop%")
    assert shop.endswith("/shop")
    [article] = stored_urls(database, "%/article%")
    assert article.endswith("/article")


def test_repeated_segment_trap_stops_at_two_levels(crawls):
    assert sorted(url.split("/", 3)[3] for url in stored_urls(crawls["db"], "%/a/%")) == ["a/", "a/a/"]


def test_redirects_off_the_site_are_not_followed(crawls, site):
    assert site.neighbour.paths == []
    assert stored_urls(crawls["db"], "%away%") == []


def test_loop_errors_timeout_and_huge_response_fail_without_crashing(crawls):
    first, database = crawls["first"], crawls["db"]
    assert first["failed"] == EXPECTED_FAILURES
    for path in ("/loop/%", "/error/%", "/slow", "/huge"):
        assert stored_urls(database, f"%{path}") == [], path
    loop_requests = [path for path in crawls["after_first"]["paths"] if path.startswith("/loop/")]
    assert len(loop_requests) <= 2  # /loop/a -> /loop/b -> /loop/a is recognised, not followed 20 times


def test_huge_response_is_abandoned(crawls, site):
    assert "huge" not in site.seen.completed
    assert site.seen.bytes_sent["huge"] < HUGE_BYTES


def test_image_is_abandoned_at_its_headers(crawls, site):
    assert stored_urls(crawls["db"], "%/media/%") == []
    assert "image" in site.seen.hung_up
    # Less than the size limit went out: the download stopped at the Content-Type, not at DOWNLOAD_MAXSIZE.
    assert site.seen.bytes_sent["image"] < MAX_RESPONSE_BYTES


@pytest.mark.parametrize("path, readable", [
    ("/malformed", "Laser speckle imaging of blood flow"),
    ("/latin1-declared-utf8", "São Paulo, Zürich and Montréal"),
    ("/utf8-declared-latin1", "Zürich — naïve café résumé"),
])
def test_malformed_and_mislabelled_pages_are_stored_readable(crawls, path, readable):
    body, encoding, content_type = stored_body(crawls["db"], f"%{path}")
    extracted = extract(body, content_type, encoding)
    assert readable in extracted.text


def test_robots_disallowed_path_is_counted_blocked_and_never_fetched(crawls, site):
    first, database = crawls["first"], crawls["db"]
    assert first["robots_blocked"] >= 1
    [per_organisation] = database.execute(
        "SELECT robots_blocked FROM crawl_run_organisations WHERE run_id = ? AND organisation_id = 'trap-site'",
        (first["id"],)).fetchall()
    assert per_organisation[0] >= 1
    assert stored_urls(database, "%/private/%") == []
    assert not any(path.startswith("/private/") for path in site.seen.paths)


def test_second_crawl_is_conditional_and_sees_only_the_change(crawls, site):
    second, database = crawls["second"], crawls["db"]
    assert crawls["after_first"]["if_none_match"] == 0
    assert site.seen.if_none_match_seen >= 4  # home, /changing, /stable/1, /stable/2
    assert site.seen.not_modified_sent >= 3  # all of them but /changing
    assert second["changed"] == 1
    assert second["new"] == 0
    assert second["unchanged"] >= site.seen.not_modified_sent
    body, _, _ = stored_body(database, "%/changing")
    assert b"Content version 2" in body
