"""One JSON shape per concept: the shapes themselves, and the CLI and the API answering alike from one store."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from retrieval.service import Searcher
from scout import shapes
from scout.settings import load_settings
from search_app import create_app
from store import Store, Tag, TRLRecord
from taxonomy import APPLICATIONS, TRL_SCALE
from tests.conftest import run_scout
from tests.search_app.accounts import add_user, log_in
from tests.search_app.search_app_fixtures import DEMO_PAGES, ORGANISATIONS, RETINA, store_pages
from tests.search_index import build_search_index, concept_embed

ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# -- the shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01T12:34:56+00:00", "2024-05-01T12:34:56+00:00"),
    ("2024-05-01T12:34:56", "2024-05-01T12:34:56+00:00"),  # the index keeps naive UTC
    ("2024-05-01T12:34:56Z", "2024-05-01T12:34:56+00:00"),
    ("2024-05-01T14:34:56.123456+02:00", "2024-05-01T12:34:56+00:00"),
    (datetime(2024, 5, 1, 12, 34, 56), "2024-05-01T12:34:56+00:00"),
    (datetime(2024, 5, 1, 7, 34, 56, tzinfo=timezone(timedelta(hours=-5))), "2024-05-01T12:34:56+00:00"),
    (None, None),
    ("", None),
])
def test_timestamps_are_utc_with_an_explicit_offset(value, expected):
    assert shapes.timestamp(value) == expected


def test_trl_is_an_object_labelled_from_the_taxonomy_or_null():
    assert shapes.trl(TRLRecord(9, "CE marked", 0.85)) == {
        "level": 9, "label": TRL_SCALE[9].label, "cue": "CE marked", "confidence": 0.85, "runner_up": None}
    assert shapes.trl(None) is None


def test_tag_names_its_application():
    assert shapes.tag(Tag("A20", 0.9, "OCT scanner", "keyword")) == {
        "application": "A20", "name": APPLICATIONS["A20"].name, "score": 0.9, "evidence": "OCT scanner",
        "signal": "keyword"}


def test_organisation_is_an_object_or_null():
    assert shapes.organisation("acme", "Acme", "US", "company") == {
        "id": "acme", "name": "Acme", "country": "US", "type": "company"}
    assert shapes.organisation("site-x", "x.example", "", "") == {
        "id": "site-x", "name": "x.example", "country": None, "type": None}
    assert shapes.organisation(None, None, None, None) is None


def test_error_shape():
    assert shapes.error("unknown_parameter", "unknown parameter 'x'", "x") == {
        "error": {"code": "unknown_parameter", "message": "unknown parameter 'x'", "parameter": "x"}}


# -- the CLI and the API over one store ---------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("shapes")
    settings = load_settings(data_dir, environ={})
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
        store_pages(store, DEMO_PAGES)
        build_search_index(store, settings.index_dir)
    return data_dir


@pytest.fixture(scope="module")
def page_ids(data_dir):
    with Store.open(load_settings(data_dir, environ={}).database_path) as store:
        return [store.page_id_for_url(page.url) for page in DEMO_PAGES]


@pytest.fixture(scope="module")
def client(data_dir):
    settings = load_settings(data_dir, environ={})
    user = add_user(settings)
    app = create_app(settings)
    app.testing = True
    # Hybrid API searches embed the query like the index's passages were (no model loaded).
    app.config["SCOUT_SEARCHER"] = Searcher(settings.index_dir, settings.database_path, embed=concept_embed)
    return log_in(app.test_client(), settings, user)


def cli_json(*args: str):
    return json.loads(run_scout(*args, "--json").stdout)


def skeleton(value):
    """The key sets and value types of a JSON value; a list by the skeletons of its items."""
    if isinstance(value, dict):
        return {key: skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [skeleton(item) for item in value]
    return type(value).__name__


def timestamps(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from timestamps(item)
    elif isinstance(value, str) and ISO_TIMESTAMP.match(value):
        yield value


def test_cli_and_api_stats_have_one_shape(data_dir, client):
    from_cli = cli_json("stats", "--data-dir", str(data_dir))
    from_api = client.get("/api/stats").get_json()
    assert skeleton(from_cli) == skeleton(from_api)
    assert from_cli == from_api


def test_cli_and_api_search_results_have_one_shape(data_dir, client):
    from_cli = cli_json("search", "retinopathy", "--limit", "20", "--data-dir", str(data_dir))
    from_api = client.get("/api/search?q=retinopathy").get_json()
    assert from_cli["total"] == 2
    assert skeleton(from_cli) == skeleton(from_api)


def test_cli_and_api_coverage_have_one_shape(data_dir, client):
    from_cli = cli_json("coverage", "--data-dir", str(data_dir))
    from_api = client.get("/api/coverage").get_json()
    assert skeleton(from_cli) == skeleton(from_api)


def test_a_search_result_is_a_summary_of_the_page_detail(client):
    summary = client.get("/api/search?q=retinopathy").get_json()["results"][0]
    detail = client.get(f"/api/page/{summary['id']}").get_json()
    assert summary["url"] == RETINA.url and detail["id"] == summary["id"]
    shared = set(summary) - {"score", "snippet"}
    assert shared <= set(detail)
    assert {key: skeleton(summary[key]) for key in shared} == {key: skeleton(detail[key]) for key in shared}
    assert {key: summary[key] for key in shared} == {key: detail[key] for key in shared}


def test_every_timestamp_in_every_api_answer_is_utc_with_its_offset(client, page_ids):
    answers = [client.get(path).get_json() for path in ("/api/search", "/api/stats", "/api/coverage")]
    answers += [client.get(f"/api/page/{page_id}").get_json() for page_id in page_ids]
    found = [value for answer in answers for value in timestamps(answer)]
    assert len(found) > 10
    for value in found:
        assert value.endswith("+00:00"), value
        assert datetime.fromisoformat(value).utcoffset() == timedelta(0), value
