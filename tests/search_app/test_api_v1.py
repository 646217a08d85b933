"""/api/v1/search, /pages, /stats, /coverage, and the deprecated /api/ routes they succeed."""

from __future__ import annotations

import pytest

from search_app.api_v1 import DEPRECATED_SINCE

DEPRECATION = f"@{int(DEPRECATED_SINCE.timestamp())}"


def old_and_new(page_ids):
    page_id = page_ids["https://acme.example/oct"]
    return [
        ("/api/search?q=retinopathy&app=A20", "/api/v1/search?q=retinopathy&app=A20"),
        (f"/api/page/{page_id}", f"/api/v1/pages/{page_id}"),
        ("/api/stats", "/api/v1/stats"),
        ("/api/coverage", "/api/v1/coverage"),
    ]


def without_clock(body):
    """The coverage report is stamped with the time it was made; two calls differ there only."""
    return {key: value for key, value in body.items() if key != "generated"}


def test_v1_routes_answer_and_are_not_deprecated(client, page_ids):
    search = client.get("/api/v1/search?q=retinopathy")
    assert search.status_code == 200
    assert search.get_json()["results"][0]["url"] == "https://acme.example/oct"
    page = client.get(f"/api/v1/pages/{page_ids['https://isar.example/laser']}").get_json()
    assert page["title"] == "Femtosecond laser surgery lab" and page["trl"]["level"] == 4
    assert client.get("/api/v1/stats").get_json()["organisations"] == 3
    assert client.get("/api/v1/coverage").get_json()["totals"]["organisations"] >= 3
    for _old, new in old_and_new(page_ids):
        response = client.get(new)
        assert response.status_code == 200 and "Deprecation" not in response.headers, new


def test_old_routes_answer_the_same_json_marked_deprecated_with_their_successor(client, page_ids):
    for old, new in old_and_new(page_ids):
        old_response, new_response = client.get(old), client.get(new)
        assert old_response.status_code == 200, old
        assert without_clock(old_response.get_json()) == without_clock(new_response.get_json()), old
        assert old_response.headers["Deprecation"] == DEPRECATION
        assert old_response.headers["Link"] == f'<{new}>; rel="successor-version"'


@pytest.mark.parametrize(("old", "status", "successor"), [
    ("/api/search?trl-min=7", 400, "/api/v1/search?trl-min=7"),
    ("/api/page/999999", 404, "/api/v1/pages/999999"),
])
def test_old_routes_errors_are_marked_deprecated_too(client, old, status, successor):
    response = client.get(old)
    assert response.status_code == status and response.get_json()["error"]["code"]
    assert response.headers["Link"] == f'<{successor}>; rel="successor-version"'


def test_a_query_string_cannot_break_out_of_the_link_header(client):
    response = client.get("/api/search?q=<b>;x")
    assert response.status_code == 200
    assert response.headers["Link"] == '</api/v1/search?q=%3Cb%3E%3Bx>; rel="successor-version"'


def test_the_pages_link_to_the_v1_json(client):
    assert 'href="/api/v1/stats"' in client.get("/").text
    assert 'href="/api/v1/coverage"' in client.get("/coverage").text


def test_search_page_json_format_is_the_api_answer(client):
    html_json = client.get("/?q=retinopathy&format=json").get_json()
    assert html_json == client.get("/api/v1/search?q=retinopathy").get_json()
