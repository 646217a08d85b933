"""The search app through Flask's test client, against a real (tiny) store and Whoosh index."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from scout.settings import load_settings
from search_app import CONTENT_SECURITY_POLICY, service
from search_app.service import NO_INDEX_MESSAGE, STALE_INDEX_MESSAGE, TRL_LABELS, application_name

from .accounts import add_user, log_in
from .search_app_fixtures import HOSTILE, RETINA, SURGERY, UNRATED


def result_urls(payload):
    return [result["final_url"] for result in payload["results"]]


# -- search -------------------------------------------------------------------------------------------


def test_search_page_finds_the_page_and_links_to_its_detail(client, page_ids):
    response = client.get("/?q=retinopathy")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert RETINA.title in body
    # The link carries the search, so the detail page's "← Search" can return to it.
    assert f'href="/page/{page_ids[RETINA.url]}?q=retinopathy"' in body
    assert "Acme Retina Imaging" in body
    assert "<mark>retinopathy</mark>" in body.lower()
    assert "TRL 9" in body
    assert f"A20 · {html.escape(application_name('A20'))}" in body


def test_api_search_json_shape_and_rank_order(client):
    response = client.get("/api/search?q=retinopathy&format=json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert list(payload)[:4] == ["query", "total", "results", "facets"]
    assert payload["query"] == "retinopathy"
    assert payload["total"] == 2
    # Title + body matches outrank a single passing mention.
    assert result_urls(payload) == [RETINA.url, SURGERY.url]
    first = payload["results"][0]
    for key in ("id", "url", "final_url", "title", "organisation", "tags", "trl", "score", "snippet"):
        assert key in first
    assert [tag["application"] for tag in first["tags"]] == ["A20"] and first["trl"]["level"] == 9
    # Snippets are the page's own words: nothing (no table pipes, no markup) is added around them here.
    assert "retinopathy" in first["snippet"].lower() and "|" not in first["snippet"] and "<" not in first["snippet"]
    scores = [result["score"] for result in payload["results"]]
    assert scores == sorted(scores, reverse=True)
    assert {"applications", "country", "organisation_type", "trl", "language"} <= set(payload["facets"])
    assert {"value": "US", "count": 1} in payload["facets"]["country"]


def test_root_format_json_serves_the_same_json_as_the_api(client):
    via_root = client.get("/?q=retinopathy&format=json")
    via_api = client.get("/api/search?q=retinopathy")
    assert via_root.mimetype == "application/json"
    assert via_root.get_json() == via_api.get_json()


def test_empty_query_lists_every_indexed_page(client):
    payload = client.get("/api/search").get_json()
    assert set(result_urls(payload)) == {RETINA.url, SURGERY.url, HOSTILE.final_url, UNRATED.url}


@pytest.mark.parametrize("query_string, expected", [
    ("q=retinopathy&app=A04", [SURGERY.url]),
    ("q=retinopathy&app=a20", [RETINA.url]),
    ("q=retinopathy&app=A20&app=A04", [RETINA.url, SURGERY.url]),
    ("q=retinopathy&trl_min=5", [RETINA.url]),
    ("trl_min=4&trl_max=5", None),  # checked as a set below
    ("q=retinopathy&country=DE", [SURGERY.url]),
    ("q=retinopathy&country=us", [RETINA.url]),
    ("q=retinopathy&type=research-institute", [SURGERY.url]),
    ("q=retinopathy&country=FR", []),
])
def test_filters_narrow_the_results(client, query_string, expected):
    payload = client.get(f"/api/search?{query_string}").get_json()
    if expected is None:
        assert set(result_urls(payload)) == {SURGERY.url, HOSTILE.final_url}
    else:
        assert result_urls(payload) == expected
        assert payload["total"] == len(expected)


def test_facet_links_add_a_filter_and_keep_the_query(client):
    body = client.get("/?q=retinopathy").get_data(as_text=True)
    assert 'href="?q=retinopathy&amp;country=DE"' in body
    assert 'href="?q=retinopathy&amp;app=A04"' in body
    assert 'href="?q=retinopathy&amp;trl_min=9&amp;trl_max=9"' in body


def test_active_filter_is_shown_with_a_link_that_removes_it(client):
    body = client.get("/?q=retinopathy&country=de").get_data(as_text=True)
    assert 'class="chip" href="?q=retinopathy"' in body
    # The active facet value toggles the filter off as well.
    assert re.search(r'<li class="active">\s*<a href="\?q=retinopathy"', body)


@pytest.mark.parametrize("query_string, parameter, message", [
    ("trl_min=0", "trl_min", "trl_min must be from 1 to 9"),
    ("trl_min=10", "trl_min", "trl_min must be from 1 to 9"),
    ("trl_min=12", "trl_min", "trl_min must be from 1 to 9, not 12"),
    ("trl_min=high", "trl_min", "trl_min must be a whole number"),
    ("trl_min=abc", "trl_min", "trl_min must be a whole number from 1 to 9, not 'abc'"),
    ("trl_min=7&trl_max=3", "trl_min", "greater than trl_max"),
    ("app=A99", "app", "unknown application id 'A99'"),
    ("country=Germany", "country", "unknown country code"),
    ("country=XX", "country", "unknown country code (ISO 3166-1 alpha-2) 'XX'"),
    ("type=startup", "type", "unknown organisation type"),
    ("page=0", "page", "page must be from 1"),
    ("page=-1", "page", "page must be from 1 to 50, not -1"),
    ("page=99999999999999999999999", "page", "page must be from 1 to 50"),
    ("limit=1000", "limit", "limit must be from 1 to 100, not 1000"),
    ("limit=0", "limit", "limit must be from 1 to 100"),
    ("q=" + "x" * 501, "q", "longer than 500 characters"),
    ("q=a&q=b", "q", "q is given 2 times; give it once"),
    ("trl_min=1&trl_min=2", "trl_min", "trl_min is given 2 times"),
    ("format=xml", "format", "format must be"),
])
def test_bad_parameters_are_rejected_with_400(client_without_index, query_string, parameter, message):
    # Parameters are checked before the index is opened, so no index is needed to test them.
    client = client_without_index
    api = client.get(f"/api/search?{query_string}")
    assert api.status_code == 400
    error = api.get_json()["error"]
    assert message in error["message"]
    assert error["code"] == "invalid_parameter" and error["parameter"] == parameter
    page = client.get(f"/?{query_string}")
    assert page.status_code == 400
    assert str(escape(message)) in page.get_data(as_text=True)


def test_unknown_parameter_is_rejected_with_a_suggestion(client_without_index):
    client = client_without_index
    api = client.get("/api/search?q=oct&trl-min=7")
    assert api.status_code == 400
    assert api.get_json() == {"error": {
        "code": "unknown_parameter", "message": "unknown parameter 'trl-min' (did you mean 'trl_min'?)",
        "parameter": "trl-min"}}
    page = client.get("/?q=oct&trl-min=7")
    assert page.status_code == 400
    assert str(escape("unknown parameter 'trl-min' (did you mean 'trl_min'?)")) in page.get_data(as_text=True)
    # No close match: the message lists what the search takes instead.
    message = client.get("/api/search?zzz=1").get_json()["error"]["message"]
    assert message.startswith("unknown parameter 'zzz' (known: q, app, area, trl_min")


def test_routes_without_parameters_reject_any(client_without_index):
    for path in ("/api/stats?x=1", "/api/coverage?x=1", "/api/page/1?x=1"):
        response = client_without_index.get(path)
        assert response.status_code == 400, path
        assert response.get_json()["error"]["code"] == "unknown_parameter", path
    for path in ("/page/1?x=1", "/coverage?x=1"):
        response = client_without_index.get(path)
        assert response.status_code == 400, path
        assert str(escape("unknown parameter 'x'")) in response.get_data(as_text=True), path


def test_a_page_past_the_last_result_says_how_many_pages_there_are(client):
    body = client.get("/?q=retinopathy&page=2").get_data(as_text=True)
    assert "No results on page 2; there are 2 results for “retinopathy” on 1 page." in body
    assert 'href="?q=retinopathy&amp;page=1"' in body
    assert "2 results for" in body and '<p class="summary">2 results' not in body
    # The API answers the same question with the total and an empty list, not an error.
    api = client.get("/api/search?q=retinopathy&page=2")
    assert api.status_code == 200
    payload = api.get_json()
    assert payload["total"] == 2 and payload["results"] == [] and payload["pages"] == 1 and payload["page"] == 2


def test_limit_sets_the_page_size_of_page_and_api(client):
    payload = client.get("/api/search?q=retinopathy&limit=1&page=2").get_json()
    assert result_urls(payload) == [SURGERY.url] and payload["page_size"] == 1 and payload["pages"] == 2
    assert "Page 2 of 2" in client.get("/?q=retinopathy&limit=1&page=2").get_data(as_text=True)


def test_pagination_links_appear_when_results_exceed_a_page(client, monkeypatch):
    monkeypatch.setattr("retrieval.requests.PAGE_SIZE", 1)
    body = client.get("/?q=retinopathy").get_data(as_text=True)
    assert "Page 1 of 2" in body
    assert 'href="?q=retinopathy&amp;page=2"' in body
    second = client.get("/api/search?q=retinopathy&page=2").get_json()
    assert result_urls(second) == [SURGERY.url] and second["total"] == 2


# -- page detail --------------------------------------------------------------------------------------


def test_detail_page_shows_tags_evidence_and_trl_cue(client, page_ids):
    response = client.get(f"/page/{page_ids[RETINA.url]}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert RETINA.title in body
    assert f'<a href="{RETINA.url}" rel="nofollow noopener noreferrer"' in body
    assert "Acme Retina Imaging" in body and "US" in body
    assert html.escape(application_name("A20")) in body
    assert "score 0.91" in body and "signal: keyword" in body
    assert RETINA.tags[0].evidence in body
    assert "TRL 9" in body and TRL_LABELS[9] in body
    assert RETINA.trl.cue in body and "confidence 0.85" in body
    assert "Retinopathy screening takes two minutes per eye." in body


def test_detail_page_without_trl_says_unknown(client, page_ids):
    body = client.get(f"/page/{page_ids[UNRATED.url]}").get_data(as_text=True)
    assert "TRL unknown" in body


def test_api_page_returns_the_detail_as_json(client, page_ids):
    payload = client.get(f"/api/page/{page_ids[RETINA.url]}").get_json()
    assert payload["url"] == RETINA.url
    assert payload["organisation"] == {"id": "acme-retina", "name": "Acme Retina Imaging", "country": "US",
                                       "type": "company"}
    assert payload["tags"][0]["application"] == "A20"
    assert payload["tags"][0]["evidence"] == RETINA.tags[0].evidence
    assert payload["trl"] == {"level": 9, "cue": RETINA.trl.cue, "confidence": 0.85, "label": TRL_LABELS[9],
                              "runner_up": None}


def test_ids_no_page_can_have_are_404_not_500(client):
    for page_id in ("99999999999999999999999", "9223372036854775808", "0", "-1"):
        page = client.get(f"/page/{page_id}")
        assert page.status_code == 404, page_id
        assert f"There is no page with id {page_id}." in page.get_data(as_text=True)
        api = client.get(f"/api/page/{page_id}")
        assert api.status_code == 404, page_id
        assert api.get_json()["error"] == {"code": "not_found", "message": f"there is no page with id {page_id}",
                                           "parameter": None}


def test_missing_page_is_404_in_html_and_json(client):
    page = client.get("/page/999999")
    assert page.status_code == 404
    assert "404" in page.get_data(as_text=True)
    api = client.get("/api/page/999999")
    assert api.status_code == 404
    assert "error" in api.get_json()


def test_api_stats(client):
    payload = client.get("/api/stats").get_json()
    assert payload["pages"] == 4 and payload["indexed_pages"] == 4 and payload["indexed_documents"] == 4
    assert payload["organisations"] == 3 and payload["index_exists"] is True
    assert payload["last_crawl"]["status"] == "finished"


# -- hostile content ----------------------------------------------------------------------------------


def assert_escaped(body: str):
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_scraped_markup_is_escaped_in_results_and_snippets(client):
    body = client.get("/?q=photoacoustic").get_data(as_text=True)
    assert HOSTILE.final_url in body  # the hostile page is really among the results (the index keeps final_url)
    assert 'href="javascript:' not in body
    assert "<mark>" in body.lower()
    assert_escaped(body)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_scraped_markup_is_escaped_on_the_detail_page(client, page_ids):
    body = client.get(f"/page/{page_ids[HOSTILE.url]}").get_data(as_text=True)
    assert_escaped(body)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    # A javascript: URL from a scraped redirect is shown as text, never as a link.
    assert 'href="javascript:' not in body
    assert "javascript:alert(document.cookie)" in body


def test_a_hostile_query_is_escaped(client):
    body = client.get("/", query_string={"q": "\"><script>alert('q')</script>"}).get_data(as_text=True)
    assert "<script>alert" not in body


# -- headers and missing index ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/?q=retinopathy", "/api/search?q=x", "/page/1", "/page/999999",
                                  "/api/stats", "/static/style.css", "/?trl_min=0"])
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:  # closes the streamed static file
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_hold_no_inline_scripts_or_styles(client, page_ids):
    for path in ("/?q=retinopathy", f"/page/{page_ids[RETINA.url]}", "/page/999999"):
        body = client.get(path).get_data(as_text=True)
        assert "<script" not in body and "style=" not in body


def test_without_an_index_the_api_answers_503_and_the_page_explains(client_without_index):
    api = client_without_index.get("/api/search?q=laser")
    assert api.status_code == 503
    assert api.get_json() == {"error": {"code": "no_index", "message": NO_INDEX_MESSAGE, "parameter": None}}
    page = client_without_index.get("/?q=laser")
    assert NO_INDEX_MESSAGE in page.get_data(as_text=True)
    assert client_without_index.get("/?format=json").status_code == 503


def test_an_index_naming_pages_the_store_lacks_is_503_not_500(client, settings):
    settings.database_path.unlink()
    log_in(client, settings, add_user(settings))  # the new store's only record: the user
    api = client.get("/api/search?q=retinopathy")
    assert api.status_code == 503
    assert api.get_json()["error"] == {"code": "stale_index", "message": STALE_INDEX_MESSAGE, "parameter": None}


def test_every_api_error_has_the_error_shape(client_without_index):
    for method, path, code in (("post", "/api/search", "method_not_allowed"),
                               ("put", "/api/page/1", "method_not_allowed"),
                               ("delete", "/api/stats", "method_not_allowed"),
                               ("get", "/api/nowhere", "not_found")):
        error = getattr(client_without_index, method)(path).get_json()["error"]
        assert set(error) == {"code", "message", "parameter"} and error["code"] == code, path


def test_head_and_post_on_html_routes_are_not_500(client):
    assert client.head("/?q=retinopathy").status_code == 200
    assert client.head("/page/1").status_code == 200
    assert client.post("/").status_code == 405
    assert client.post("/page/1").status_code == 405


def test_without_a_database_detail_is_404_and_stats_are_zero(client_without_index, tmp_path):
    assert client_without_index.get("/page/1").status_code == 404  # a store holding only the user
    stats = client_without_index.get("/api/stats").get_json()
    assert stats["pages"] == 0 and stats["index_exists"] is False
    # Without any store, reading must not create an empty one.
    nowhere = load_settings(tmp_path / "nowhere", environ={})
    assert service.page_detail(nowhere, 1) is None and service.stats(nowhere)["pages"] == 0
    assert not nowhere.database_path.exists()
