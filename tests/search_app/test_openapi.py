"""The OpenAPI document: it names exactly the app's /api/v1 routes, it is valid, and real answers fit it."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from retrieval.requests import SEARCH_PARAMETERS
from scout.settings import load_settings
from search_app import create_app, openapi, shortlists
from store import Store
from tests.search_index import build_search_index

from .accounts import add_user, log_in
from .cluster_fixtures import CLUSTER, LASER_SME, fill_store, word_encoder

IGNORED_METHODS = {"HEAD", "OPTIONS"}
SESSION_COOKIE = "scout_session"
DOCUMENT = openapi.document(SESSION_COOKIE)


def openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path template: /pages/<int(signed=True):page_id> -> /pages/{page_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def app_routes(app) -> set[tuple[str, str]]:
    return {(method.lower(), openapi_path(rule.rule)) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") for method in rule.methods - IGNORED_METHODS}


def documented_routes(document) -> set[tuple[str, str]]:
    return {(method, path) for path, operations in document["paths"].items() for method in operations}


def schema_validator(component: str) -> Draft202012Validator:
    """Validates against one of the document's schemas, its $refs resolved within the document."""
    return Draft202012Validator({**openapi.ref(component), "components": DOCUMENT["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_fits(body, component: str) -> None:
    errors = sorted(schema_validator(component).iter_errors(body), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:5])


def test_openapi_path_rewrites_every_converter():
    assert openapi_path("/api/v1/pages/<int(signed=True):page_id>") == "/api/v1/pages/{page_id}"
    assert openapi_path("/api/v1/organisations/<organisation_id>") == "/api/v1/organisations/{organisation_id}"
    assert openapi_path("/api/v1/shortlists/<int:shortlist_id>/export") == "/api/v1/shortlists/{shortlist_id}/export"


def test_every_api_v1_route_is_documented_and_every_documented_route_exists(client):
    routes = app_routes(client.application)
    documented = documented_routes(DOCUMENT)
    assert ("get", "/api/v1/search") in routes  # the walk sees the app's routes at all
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented routes the app does not have"


def test_the_document_is_valid_openapi():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)  # raises on an invalid document


def test_search_parameters_are_the_services():
    for path in ("/api/v1/search", "/api/v1/search/export"):
        documented = {p["name"] for p in DOCUMENT["paths"][path]["get"]["parameters"]}
        expected = set(SEARCH_PARAMETERS) - ({"page", "limit"} if path.endswith("export") else set())
        assert documented == expected, path


def test_every_operation_answers_json_or_a_file_and_documents_its_errors():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["200"]["content"], (method, path)
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == openapi.ref("Error")
            path_names = set(re.findall(r"{(\w+)}", path))
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == path_names, path


def test_a_schema_rejects_what_does_not_fit():
    assert_fits({"error": {"code": "not_found", "message": "no", "parameter": None}}, "Error")
    with pytest.raises(AssertionError):
        assert_fits({"error": {"code": "not_found"}}, "Error")
    with pytest.raises(AssertionError):
        assert_fits({"level": 12, "label": "", "cue": "", "confidence": 0.5, "runner_up": None}, "TRL")


def test_the_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == DOCUMENT
    assert client.application.config["SESSION_COOKIE_NAME"] == SESSION_COOKIE
    assert DOCUMENT["components"]["securitySchemes"]["session"]["name"] == SESSION_COOKIE
    assert client.get("/api/v1/openapi.json?x=1").status_code == 400


@pytest.mark.parametrize(("path", "component"), [
    ("/api/v1/search?q=retinopathy", "SearchResults"),
    ("/api/v1/search?q=retinopathy&group=organisation&sort=trl", "SearchResults"),
    ("/api/v1/search?q=&app=A04&page=9", "SearchResults"),
    ("/api/v1/stats", "Stats"),
    ("/api/v1/coverage", "Coverage"),
    ("/api/v1/organisations", "OrganisationList"),
    ("/api/v1/organisations/acme-retina", "OrganisationProfile"),
    ("/api/v1/organisations/evil-corp", "OrganisationProfile"),
    ("/api/v1/session", "Session"),
    ("/api/v1/candidates", "CandidateList"),
])
def test_index_answers_fit_their_schemas(client, path, component):
    response = client.get(path)
    assert response.status_code == 200, response.get_json()
    assert_fits(response.get_json(), component)


def test_page_answers_fit_their_schema(client, page_ids):
    for page_id in page_ids.values():
        response = client.get(f"/api/v1/pages/{page_id}")
        assert response.status_code == 200
        assert_fits(response.get_json(), "Page")


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/search?trl-min=7", 400),
    ("/api/v1/search?trl_min=12", 400),
    ("/api/v1/pages/999999", 404),
    ("/api/v1/pages/-1", 404),
    ("/api/v1/organisations/nobody", 404),
    ("/api/v1/stats?verbose=1", 400),
])
def test_error_answers_fit_the_error_schema_and_are_documented(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_fits(response.get_json(), "Error")
    template = openapi_path(client.application.url_map.bind("localhost").match(
        path.split("?")[0], return_rule=True)[0].rule)
    assert str(status) in DOCUMENT["paths"][template]["get"]["responses"]


def test_without_a_login_the_api_answers_401_as_documented(anonymous_client):
    response = anonymous_client.get("/api/v1/smes")
    assert response.status_code == 401
    assert_fits(response.get_json(), "Error")
    assert "401" in DOCUMENT["paths"]["/api/v1/smes"]["get"]["responses"]


@pytest.fixture
def cluster(tmp_path):
    """A litek staff member's client over organisations, an SME and a shortlist holding a match."""
    settings = load_settings(tmp_path / "data", environ={})
    with Store.open(settings.database_path) as store:
        page_ids = fill_store(store)
        build_search_index(store, settings.index_dir)
        sme_id = store.save_sme(CLUSTER, LASER_SME)[0]
        shortlist = shortlists.create(store, CLUSTER, "OCT partners")
        shortlists.add_organisation(store, CLUSTER, shortlist["id"], "oct-lasers", note="first")
        shortlists.add_match(store, CLUSTER, shortlist["id"], sme_id, "oct-systems", "", "ana", word_encoder)
    app = create_app(settings)
    app.testing = True
    app.config["SCOUT_MATCH_ENCODER"] = word_encoder
    client = log_in(app.test_client(), settings, add_user(settings, "ana", CLUSTER, "staff"))
    return SimpleNamespace(client=client, sme_id=sme_id, shortlist_id=shortlist["id"],
                           page_id=page_ids["https://oct-systems.example/scanner"])


def test_cluster_answers_fit_their_schemas(cluster):
    answers = {
        "/api/v1/smes": "SMEList",
        f"/api/v1/smes/{cluster.sme_id}": "SME",
        f"/api/v1/matches?sme={cluster.sme_id}": "MatchList",
        "/api/v1/matches?org=oct-lasers": "MatchList",
        f"/api/v1/matches?page={cluster.page_id}": "MatchList",
        "/api/v1/shortlists": "ShortlistList",
        f"/api/v1/shortlists/{cluster.shortlist_id}": "Shortlist",
    }
    for path, component in answers.items():
        response = cluster.client.get(path)
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        assert_fits(body, component)
        assert body.get("matches", [None]) != [], path  # each match list holds something to check
    items = cluster.client.get(f"/api/v1/shortlists/{cluster.shortlist_id}").get_json()["items"]
    assert [item["kind"] for item in items] == ["organisation", "match"]


@pytest.mark.parametrize("path", ["/api/v1/shortlists/{id}/export?format=xlsx", "/api/v1/shortlists/{id}/export?format=csv",
                                  "/api/v1/search/export?q=oct&format=csv"])
def test_downloads_are_the_documented_media_types(cluster, path):
    response = cluster.client.get(path.replace("{id}", str(cluster.shortlist_id)))
    assert response.status_code == 200
    template = path.split("?")[0].replace("{id}", "{shortlist_id}")
    assert response.mimetype in DOCUMENT["paths"][template]["get"]["responses"]["200"]["content"]


def test_the_readme_names_every_documented_route():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for path in DOCUMENT["paths"]:
        assert re.sub(r"{\w+}", "ID", path) in readme, path
