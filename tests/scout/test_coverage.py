"""Coverage report: every organisation listed with its last crawl, pages, errors and robots.txt blocks."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from scout.coverage import coverage_report, format_table, iter_organisations
from scout.registry import parse_organisations
from scout.settings import load_settings
from store import FetchedPage, Store
from tests.conftest import run_scout

REGISTRY = parse_organisations([
    {"id": "alpha-optics", "name": "Alpha Optics", "country": "US", "market": "usa", "type": "company",
     "website": "https://alpha.example/", "languages": ["en"], "source": "test"},
    {"id": "beta-lasers", "name": "Beta Lasers", "country": "CA", "market": "canada", "type": "company",
     "website": "https://beta.example/", "languages": ["en"], "source": "test"},
    {"id": "gamma-institute", "name": "Gamma Institute", "country": "US", "market": "usa",
     "type": "research-institute", "website": "https://gamma.example/", "languages": ["en"], "source": "test"},
    {"id": "delta-cluster", "name": "Delta Cluster", "country": "US", "market": "usa", "type": "cluster",
     "website": None, "languages": ["en"], "source": "test"},
], "test registry")

ADHOC = {"id": "site-adhoc-example", "name": "adhoc.example", "country": "", "market": "", "type": "",
         "website": "https://adhoc.example/", "languages": [], "source": "scout crawl --url"}


def page(url: str, organisation_id: str, body: bytes = b"<html>hello</html>", status: int = 200,
         error: str | None = None) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, organisation_id=organisation_id, http_status=status, body=body,
                       content_type="text/html", error=error)


def crawl_run(store: Store, targets: list[str], fetches: list[FetchedPage]) -> int:
    run_id = store.start_crawl_run(targets)
    for fetched in fetches:
        store.record_fetch(run_id, fetched)
    store.finish_crawl_run(run_id)
    return run_id


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def crawled(settings):
    """alpha crawled twice (a page gone in between), beta with errors and a robots.txt block, an ad-hoc site."""
    with Store.open(settings.database_path) as store:
        store.upsert_organisations([
            asdict(org) for org in REGISTRY
        ] + [ADHOC])
        crawl_run(store, ["alpha-optics"], [
            page("https://alpha.example/", "alpha-optics"),
            page("https://alpha.example/a", "alpha-optics"),
            page("https://alpha.example/old", "alpha-optics"),
        ])
        crawl_run(store, ["alpha-optics", "beta-lasers", "site-adhoc-example"], [
            page("https://alpha.example/", "alpha-optics", body=b"<html>changed</html>"),
            page("https://alpha.example/a", "alpha-optics"),
            page("https://alpha.example/old", "alpha-optics", status=404),
            page("https://beta.example/", "beta-lasers"),
            page("https://beta.example/broken", "beta-lasers", status=0, error="TimeoutError: took too long"),
            page("https://beta.example/private", "beta-lasers", status=0, error="robots.txt: forbidden"),
            page("https://adhoc.example/", "site-adhoc-example"),
        ])
        # The old page answers 404 a second time: now it is gone and no longer counted.
        crawl_run(store, ["alpha-optics"], [page("https://alpha.example/old", "alpha-optics", status=404)])
    return settings


def by_id(report: dict) -> dict[str, dict]:
    return {org["id"]: org for _, _, org in iter_organisations(report)}


def test_every_registry_organisation_is_listed_even_without_a_store(settings):
    report = coverage_report(settings, REGISTRY)
    orgs = by_id(report)
    assert set(orgs) == {org.id for org in REGISTRY}
    assert orgs["gamma-institute"]["status"] == "never-crawled" and orgs["gamma-institute"]["last_crawled"] is None
    assert orgs["delta-cluster"]["status"] == "no-website" and orgs["delta-cluster"]["website"] is None
    assert not settings.database_path.exists()  # reading coverage never creates a store


def test_latest_run_counts_pages_errors_and_robots_blocks(crawled):
    orgs = by_id(coverage_report(crawled, REGISTRY))
    alpha = orgs["alpha-optics"]
    assert alpha["status"] == "ok" and alpha["last_run_id"] == 3 and alpha["last_crawled"]
    assert alpha["pages"] == 2  # the gone page is not counted
    assert (alpha["new"], alpha["changed"]) == (0, 0)  # run 3 only saw the 404

    beta = orgs["beta-lasers"]
    assert beta["status"] == "errors" and beta["last_run_id"] == 2
    assert (beta["pages"], beta["new"], beta["failed"], beta["robots_blocked"]) == (1, 1, 1, 1)
    assert beta["last_error"] == "TimeoutError: took too long"


def test_new_and_changed_come_from_the_last_run_that_touched_the_organisation(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations([{"id": "alpha-optics", "name": "Alpha Optics"},
                                    {"id": "beta-lasers", "name": "Beta Lasers"}])
        crawl_run(store, ["alpha-optics"], [page("https://alpha.example/", "alpha-optics"),
                                            page("https://alpha.example/b", "alpha-optics")])
        crawl_run(store, ["alpha-optics"], [page("https://alpha.example/", "alpha-optics", body=b"<p>new</p>"),
                                            page("https://alpha.example/b", "alpha-optics"),
                                            page("https://alpha.example/c", "alpha-optics")])
        crawl_run(store, ["beta-lasers"], [page("https://beta.example/", "beta-lasers")])  # not alpha's
    alpha = by_id(coverage_report(settings, REGISTRY))["alpha-optics"]
    assert (alpha["last_run_id"], alpha["new"], alpha["changed"], alpha["pages"]) == (2, 1, 1, 3)


def test_organisations_only_in_the_store_are_listed_under_unassigned_last(crawled):
    report = coverage_report(crawled, REGISTRY)
    assert [market["market"] for market in report["markets"]] == ["canada", "usa", "unassigned"]
    adhoc = report["markets"][-1]["countries"][0]
    assert adhoc["country"] == "unknown"
    assert adhoc["organisations"][0]["id"] == "site-adhoc-example"
    assert adhoc["organisations"][0]["in_registry"] is False and adhoc["organisations"][0]["status"] == "ok"


def test_report_is_grouped_by_market_then_country_and_sorted_by_name(crawled):
    report = coverage_report(crawled, REGISTRY)
    usa = next(market for market in report["markets"] if market["market"] == "usa")
    assert [country["country"] for country in usa["countries"]] == ["US"]
    assert [org["name"] for org in usa["countries"][0]["organisations"]] == [
        "Alpha Optics", "Delta Cluster", "Gamma Institute"]


def test_totals_add_up(crawled):
    totals = coverage_report(crawled, REGISTRY)["totals"]
    assert totals == {"organisations": 5, "ok": 2, "errors": 1, "never_crawled": 1, "no_website": 1,
                      "pages": 4, "new": 2, "changed": 0, "failed": 1, "robots_blocked": 1}


def test_table_groups_by_market_and_country_and_shows_websites_and_errors(crawled):
    table = format_table(coverage_report(crawled, REGISTRY))
    lines = table.splitlines()
    assert lines[0].startswith("Coverage on ") and "5 organisations" in lines[0]
    assert lines.index("CANADA") < lines.index("USA") < lines.index("UNASSIGNED")
    assert "  US" in lines and "  CA" in lines
    assert "no website in registry" in table
    assert "last error: TimeoutError: took too long" in table
    never = next(line for line in lines if "gamma-institute" in line)
    assert never.split()[0] == "never-crawled" and " never " in never


def test_cli_json_lists_every_registry_organisation(tmp_path):
    from scout.registry import load_registry

    Store.open(load_settings(tmp_path, environ={}).database_path).close()  # coverage needs a store, even an empty one
    report = json.loads(run_scout("coverage", "--json", "--data-dir", str(tmp_path)).stdout)
    assert set(report) == {"generated", "markets", "totals"}
    listed = {org["id"] for _, _, org in iter_organisations(report)}
    assert listed == {org.id for org in load_registry()}
    assert report["totals"]["organisations"] == len(listed)
    assert report["totals"]["ok"] == 0  # nothing crawled in an empty data dir


def test_cli_table(crawled):
    out = run_scout("coverage", "--data-dir", str(crawled.data_dir)).stdout
    assert out.startswith("Coverage on ") and "site-adhoc-example" in out and "UNASSIGNED" in out
