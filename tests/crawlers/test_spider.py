"""The generic spider against the bundled demo sites, served on 127.0.0.1."""

import sqlite3

import pytest

from tests.conftest import crawl_records
from tests.loopback import serve_directory


@pytest.fixture(scope="module")
def crawled(demo_sites, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("crawl")
    run = crawl_records(data_dir, demo_sites.organisations)
    database = sqlite3.connect(data_dir / "scout.sqlite3")
    database.row_factory = sqlite3.Row
    return run, database


def test_every_demo_organisation_is_crawled_and_attributed(crawled, demo_sites):
    run, database = crawled
    assert run["status"] == "finished"
    counts = dict(database.execute(
        "SELECT organisation_id, COUNT(*) FROM pages WHERE error IS NULL GROUP BY organisation_id"))
    assert set(counts) == {org["id"] for org in demo_sites.organisations}
    for org in demo_sites.organisations:
        base = demo_sites.base_url(org["id"])
        urls = [row[0] for row in database.execute("SELECT url FROM pages WHERE organisation_id = ?", (org["id"],))]
        assert all(url.startswith(base + "/") for url in urls), f"{org['id']} page on another host"


def test_robots_txt_disallowed_page_is_never_fetched(crawled):
    _, database = crawled
    assert database.execute("SELECT COUNT(*) FROM pages WHERE url LIKE '%/private/%'").fetchone()[0] == 0
    bodies = [row[0] for row in database.execute("SELECT body FROM page_bodies")]
    import zlib
    assert not any(b"ZEPHYRQUOKKA" in zlib.decompress(body) for body in bodies)


def test_pdf_brochure_is_fetched_with_its_content_type(crawled):
    _, database = crawled
    [row] = database.execute("SELECT content_type, http_status FROM pages WHERE url LIKE '%brochure.pdf'").fetchall()
    assert tuple(row) == ("application/pdf", 200)


def test_external_links_are_not_followed(crawled):
    _, database = crawled
    assert database.execute(
        "SELECT COUNT(*) FROM pages WHERE url NOT LIKE 'http://127.0.0.1:%'").fetchone()[0] == 0


def test_each_url_is_stored_once_and_counted_as_new(crawled):
    run, database = crawled
    total = database.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    distinct = database.execute("SELECT COUNT(DISTINCT url) FROM pages").fetchone()[0]
    assert total == distinct == run["new"] + run["failed"] - _failed_without_row(database, run)


def _failed_without_row(database, run):
    # A failure of a never-stored URL is counted in the run but leaves no page row.
    return run["failed"] - database.execute("SELECT COUNT(*) FROM pages WHERE error IS NOT NULL").fetchone()[0]


def test_recrawl_of_unchanged_sites_counts_everything_unchanged(crawled, demo_sites, tmp_path):
    first, _ = crawled
    data_dir = tmp_path
    crawl_records(data_dir, demo_sites.organisations)
    second = crawl_records(data_dir, demo_sites.organisations)
    assert second["new"] == 0 and second["changed"] == 0
    assert second["unchanged"] == first["new"]


def test_page_cap_bounds_pages_per_organisation(demo_sites, tmp_path):
    from tests.conftest import scout_env
    run = crawl_records(tmp_path, demo_sites.organisations[:1], env=scout_env(SCOUT_MAX_PAGES_PER_ORGANISATION="2"))
    assert run["fetched"] <= 2


def test_sitemaps_named_in_robots_txt_are_read(tmp_path):
    """A page linked from nowhere, listed only in a sitemap that only robots.txt names, is found."""
    (tmp_path / "site").mkdir()
    site = tmp_path / "site"
    (site / "index.html").write_text("<html><body><p>Home page without links.</p></body></html>")
    (site / "hidden.html").write_text("<html><body><p>Only the sitemap knows this page.</p></body></html>")
    server = serve_directory(site)
    base = server.base_url
    (site / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}/maps/pages.xml\n")
    (site / "maps").mkdir()
    (site / "maps" / "pages.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/hidden.html</loc></url></urlset>")
    with server:
        record = {"id": "robots-sitemap", "name": "R", "country": "US", "market": "usa", "type": "company",
                  "website": base + "/", "start_urls": [base + "/"], "languages": ["en"]}
        crawl_records(tmp_path / "data", [record])
    database = sqlite3.connect(tmp_path / "data" / "scout.sqlite3")
    urls = {row[0] for row in database.execute("SELECT url FROM pages")}
    assert base + "/hidden.html" in urls
