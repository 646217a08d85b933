"""/coverage and /api/coverage: every organisation by market and country, escaped, CSP-clean."""

from __future__ import annotations

import pytest
from markupsafe import escape

from scout.registry import load_registry, parse_organisations
from scout.settings import load_settings
from search_app import create_app
from store import FetchedPage, Store

from .accounts import add_user, log_in
from .search_app_fixtures import IMG_PAYLOAD, SCRIPT_PAYLOAD

REGISTRY = parse_organisations([
    {"id": "alpha-optics", "name": "Alpha Optics", "country": "US", "market": "usa", "type": "company",
     "website": "https://alpha.example/", "languages": ["en"], "source": "test"},
    {"id": "kiwi-lasers", "name": "Kiwi Lasers", "country": "AU", "market": "australia", "type": "company",
     "website": "https://kiwi.example/", "languages": ["en"], "source": "test"},
    {"id": "quiet-cluster", "name": "Quiet Cluster", "country": "US", "market": "usa", "type": "cluster",
     "website": None, "languages": ["en"], "source": "test"},
], "test registry")

HOSTILE = {"id": "site-evil-example", "name": f"Evil {SCRIPT_PAYLOAD}", "country": "", "market": "", "type": "",
           "website": "javascript:alert(1)", "languages": [], "source": "scout crawl --url"}


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def client(settings, monkeypatch):
    user = add_user(settings)
    monkeypatch.setattr("scout.registry.load_registry", lambda: REGISTRY)
    app = create_app(settings)
    app.testing = True
    return log_in(app.test_client(), settings, user)


@pytest.fixture
def crawled(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations([{"id": "alpha-optics", "name": "Alpha Optics", "market": "usa", "country": "US"},
                                    HOSTILE])
        run_id = store.start_crawl_run(["alpha-optics", "site-evil-example"])
        store.record_fetch(run_id, FetchedPage("https://alpha.example/", "https://alpha.example/", "alpha-optics",
                                               200, "text/html", b"<p>hi</p>"))
        store.record_fetch(run_id, FetchedPage("https://evil.example/x", "https://evil.example/x",
                                               "site-evil-example", 0, error=f"Boom {IMG_PAYLOAD}"))
        store.finish_crawl_run(run_id)


def test_coverage_page_lists_every_organisation_grouped_by_market_and_country(client, crawled):
    response = client.get("/coverage")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("Alpha Optics", "Kiwi Lasers", "Quiet Cluster"):
        assert name in html
    # Markets and countries by name, not slug or code; a count of one is singular.
    assert html.index("<h2>Australia</h2>") < html.index("<h2>USA</h2>") < html.index("<h2>Unassigned")
    assert "<caption>United States · 2 organisations</caption>" in html
    assert "<caption>Australia · 1 organisation</caption>" in html
    assert "australia</h2>" not in html
    assert "never-crawled" in html and "no website in registry" in html
    assert 'href="https://alpha.example/"' in html


def test_coverage_page_escapes_names_and_errors_and_links_only_http(client, crawled):
    html = client.get("/coverage").get_data(as_text=True)
    assert SCRIPT_PAYLOAD not in html and IMG_PAYLOAD not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert 'href="javascript:' not in html


def test_coverage_page_has_no_inline_script_or_style(client, crawled):
    response = client.get("/coverage")
    html = response.get_data(as_text=True)
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_coverage_page_works_before_anything_was_crawled(client, settings):
    response = client.get("/coverage")
    assert response.status_code == 200 and "Kiwi Lasers" in response.get_data(as_text=True)
    # The store holds only the logged-in user: no organisation has been crawled.
    with Store.open(settings.database_path) as store:
        assert store.organisations() == []


def test_coverage_api_returns_the_report(client, crawled):
    response = client.get("/api/coverage")
    assert response.status_code == 200 and response.is_json
    report = response.get_json()
    assert list(report) == ["generated", "markets", "totals"]
    assert [market["market"] for market in report["markets"]] == ["australia", "usa", "unassigned"]
    assert report["totals"]["organisations"] == 4 and report["totals"]["errors"] == 1
    alpha = report["markets"][1]["countries"][0]["organisations"][0]
    assert alpha["id"] == "alpha-optics" and alpha["status"] == "ok" and alpha["pages"] == 1


def test_navigation_links_to_coverage(client):
    assert 'href="/coverage"' in client.get("/").get_data(as_text=True)


def test_coverage_page_uses_the_packaged_registry_by_default(settings):
    user = add_user(settings)
    app = create_app(settings)
    app.testing = True
    html = log_in(app.test_client(), settings, user).get("/coverage").get_data(as_text=True)
    assert all(str(escape(org.name)) in html for org in load_registry())
