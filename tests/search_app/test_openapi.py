"""The OpenAPI document: it names exactly the app's /api/v1 routes, it is valid, and real answers fit it."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from search_app import openapi

IGNORED_METHODS = {"HEAD", "OPTIONS"}


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
    document = openapi.document()
    return Draft202012Validator({**openapi.ref(component), "components": document["components"]})


def assert_fits(body, component: str) -> None:
    errors = sorted(schema_validator(component).iter_errors(body), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:5])


def test_openapi_path_rewrites_every_converter():
    assert openapi_path("/api/v1/pages/<int(signed=True):page_id>") == "/api/v1/pages/{page_id}"
    assert openapi_path("/api/v1/organisations/<organisation_id>") == "/api/v1/organisations/{organisation_id}"
    assert openapi_path("/api/v1/shortlists/<int:shortlist_id>/export") == "/api/v1/shortlists/{shortlist_id}/export"


def test_every_api_v1_route_is_documented_and_every_documented_route_exists(client):
    routes = app_routes(client.application)
    documented = documented_routes(openapi.document())
    assert ("get", "/api/v1/search") in routes  # the walk sees the app's routes at all
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented routes the app does not have"


def test_the_document_is_valid_openapi():
    document = openapi.document()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on an invalid document


def test_every_operation_answers_json_or_a_file_and_documents_its_errors():
    for path, operations in openapi.document()["paths"].items():
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
    assert response.get_json() == openapi.document()
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
    assert str(status) in openapi.document()["paths"][template]["get"]["responses"]
