"""The Candidates page and API, and the publication-date filter and sort of search."""

from __future__ import annotations

import pytest

from scout import discovery
from scout.registry import load_registry_for
from search_app import create_app
from store import FetchedPage, ProcessedPage, Store, sha256_hex
from tests.listing_fixture import store_listing_site
from tests.search_index import build_search_index

from .accounts import add_user, csrf_token, form_csrf_token, log_in
from .search_app_fixtures import ORGANISATIONS

BASE = "http://127.0.0.1:8765/"


def make_client(settings, logged_in: bool = True):
    """A client of the app, logged in (the default) as a scout through the real login layer."""
    app = create_app(settings)
    app.testing = True
    client = app.test_client()
    return log_in(client, settings, add_user(settings, "sam", "litek", "scout")) if logged_in else client


def decide(client, url: str, **fields):
    """A decision as the page's form sends it: with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **fields})


@pytest.fixture
def candidate_client(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations([{"id": "lumiere", "name": "Lumière Cluster", "country": "FR", "market": "europe",
                                     "type": "cluster", "website": BASE, "languages": ["en"], "source": "test"}])
        store_listing_site(store, BASE, "lumiere", ["members.html", "exhibitors.html"])
        discovery.discover(store, [])
    return make_client(settings)


def test_the_candidates_page_lists_candidates_with_evidence_and_forms(candidate_client):
    response = candidate_client.get("/candidates")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aurora Medical Optics" in html and "Lumière Cluster" in html
    assert "Aurora Medical Optics (Canada) — swept-source" in html  # the listing entry, as evidence
    assert 'action="/candidates/aurora-medical-optics/accept"' in html
    assert f'name="csrf_token" value="{csrf_token(candidate_client)}"' in html
    assert "onclick" not in html and "<script" not in html


def test_the_api_answers_the_same_candidates_as_the_cli(candidate_client):
    body = candidate_client.get("/api/v1/candidates?market=canada").get_json()
    assert [c["name"] for c in body["candidates"]] == ["Aurora Medical Optics"]
    assert body["candidates"][0]["listed_by"][0]["id"] == "lumiere"


@pytest.mark.parametrize("query, parameter", [("market=mars", "market"), ("app=A99", "app"), ("sort=x", "sort")])
def test_bad_candidate_filters_are_400_with_the_error_shape(candidate_client, query, parameter):
    response = candidate_client.get(f"/api/v1/candidates?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_a_bad_filter_on_the_page_is_shown_above_it(candidate_client):
    response = candidate_client.get("/candidates?market=mars")
    assert response.status_code == 400 and "unknown market" in response.get_data(as_text=True)


def test_accepting_and_rejecting_through_the_forms(candidate_client, settings):
    # The token the page's own form carries.
    token = form_csrf_token(candidate_client.get("/candidates").get_data(as_text=True))
    accepted = candidate_client.post("/candidates/lumen-optics/accept", data={"csrf_token": token, "type": "company"})
    assert accepted.status_code == 200 and "Accepted lumen-optics" in accepted.get_data(as_text=True)
    assert "lumen-optics" in {org.id for org in load_registry_for(settings.data_dir)}
    rejected = decide(candidate_client, "/candidates/jade-biophotonics/reject")
    assert rejected.status_code == 200
    names = {c["id"] for c in candidate_client.get("/api/v1/candidates").get_json()["candidates"]}
    assert not names & {"lumen-optics", "jade-biophotonics"}


def test_a_decision_that_cannot_be_made_is_an_error_on_the_page(candidate_client):
    twice = decide(candidate_client, "/candidates/jade-biophotonics/reject")
    assert twice.status_code == 200
    again = decide(candidate_client, "/candidates/jade-biophotonics/reject")
    assert again.status_code == 400 and "already rejected" in again.get_data(as_text=True)
    no_country = decide(candidate_client, "/candidates/vega-optogenetics/accept")
    assert no_country.status_code == 400
    unknown = decide(candidate_client, "/candidates/nobody/accept", evil="1")
    assert unknown.status_code == 400 and "unknown field" in unknown.get_data(as_text=True)
    assert candidate_client.get("/candidates/nobody/accept").status_code == 405


def test_a_decision_needs_the_sessions_csrf_token(candidate_client, settings):
    for data, headers in (({}, {}), ({"csrf_token": "forged"}, {}), ({}, {"X-CSRF-Token": "forged"})):
        refused = candidate_client.post("/candidates/lumen-optics/accept", data={"type": "company", **data},
                                        headers=headers)
        assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert "lumen-optics" not in {org.id for org in load_registry_for(settings.data_dir)}
    listed = {c["id"] for c in candidate_client.get("/api/v1/candidates").get_json()["candidates"]}
    assert "lumen-optics" in listed


def test_candidates_need_a_login(candidate_client, settings):
    anonymous = create_app(settings).test_client()
    page = anonymous.get("/candidates")
    assert page.status_code == 302 and "/login?next=" in page.location
    api = anonymous.get("/api/v1/candidates")
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "unauthorized"
    decided = anonymous.post("/candidates/lumen-optics/accept", data={"type": "company"})
    assert decided.status_code == 302
    assert "lumen-optics" not in {org.id for org in load_registry_for(settings.data_dir)}


def test_without_a_store_nothing_is_created_and_nobody_is_let_in(settings):
    response = make_client(settings, logged_in=False).get("/candidates")
    assert response.status_code == 302 and "/login" in response.location
    assert not settings.database_path.exists()


def test_before_any_crawl_the_page_is_empty_not_an_error(settings):
    response = make_client(settings).get("/candidates")  # the store holds the user and nothing else
    assert response.status_code == 200 and "No candidates to review" in response.get_data(as_text=True)


# -- publication dates in search --------------------------------------------------------------------------


@pytest.fixture
def dated_client(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
        run_id = store.start_crawl_run(["acme-retina"])
        for path, published in (("old", "2022-05-01"), ("new", "2024-03-04"), ("undated", None)):
            url, body = f"https://acme.example/{path}", f"<p>{path}</p>".encode()
            store.record_fetch(run_id, FetchedPage(url=url, final_url=url, organisation_id="acme-retina",
                                                   http_status=200, content_type="text/html", body=body))
            store.save_processed(ProcessedPage(
                page_id=store.page_id_for_url(url), title=f"Retina news {path}", text="Retina imaging news.",
                language="en", body_hash=sha256_hex(body), published_date=published, modified_date=published))
        build_search_index(store, settings.index_dir, embeddings=False)
    return make_client(settings)


def titles(client, query: str) -> list[str]:
    response = client.get(f"/api/search?q=retina&{query}")
    assert response.status_code == 200, response.get_json()
    return [result["title"] for result in response.get_json()["results"]]


def test_published_after_keeps_pages_dated_on_or_after_it(dated_client):
    assert titles(dated_client, "published_after=2024-03-04") == ["Retina news new"]
    assert len(titles(dated_client, "published_after=")) == 3


def test_sort_published_puts_the_newest_first_and_undated_pages_last(dated_client):
    assert titles(dated_client, "sort=published") == ["Retina news new", "Retina news old", "Retina news undated"]


def test_results_and_detail_pages_show_the_publication_date(dated_client):
    html = dated_client.get("/?q=retina&sort=published").get_data(as_text=True)
    assert '<time datetime="2024-03-04">2024-03-04</time>' in html
    result = dated_client.get("/api/search?q=retina&sort=published").get_json()["results"][0]
    assert result["published_date"] == "2024-03-04"
    detail = dated_client.get(f"/page/{result['id']}").get_data(as_text=True)
    assert "Published" in detail and "2024-03-04" in detail


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2024-3-4", "20240304"])
def test_a_bad_published_after_is_a_400_naming_it(dated_client, value):
    response = dated_client.get(f"/api/search?q=retina&published_after={value}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "published_after"
    page = dated_client.get(f"/?q=retina&published_after={value}")
    assert page.status_code == 400 and "YYYY-MM-DD" in page.get_data(as_text=True)


def test_a_bad_sort_is_a_400_naming_it(dated_client):
    response = dated_client.get("/api/search?q=retina&sort=trl-ish")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "sort"


def test_publication_dates_combine_with_the_organisation_filter_grouping_and_other_sorts(dated_client):
    newest_first = ["Retina news new", "Retina news old", "Retina news undated"]
    assert titles(dated_client, "sort=published&org=acme-retina") == newest_first
    assert titles(dated_client, "sort=published&group=organisation") == newest_first
    assert titles(dated_client, "published_after=2022-01-01&org=acme-retina&sort=date") != []
    assert titles(dated_client, "published_after=2022-01-01&org=isar-photonics") == []
    html = dated_client.get("/?q=retina&sort=published&group=organisation&published_after=2022-01-01")
    text = html.get_data(as_text=True)
    assert html.status_code == 200 and "published after 2022-01-01" in text
    assert '<option value="published" selected>' in text and '<option value="trl" >' in text
    assert 'name="published_after" type="date"\n             value="2022-01-01"' in text
