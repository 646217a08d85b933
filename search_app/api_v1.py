"""The index's JSON routes under /api/v1 (search, pages, stats, coverage, the OpenAPI document), and the
deprecated /api/ routes they succeed.

The other /api/v1 routes live beside their HTML views (org_views, cluster_views, candidate_views,
auth_views); openapi.py describes them all. The old /api/ routes answer the same JSON through the same
view functions for one more release, marked deprecated (RFC 9745 `Deprecation`) with a link to their
successor (RFC 5829 `successor-version`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import quote

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from scout import shapes
from search_app import openapi, service

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
# Named "api" as before, so the old endpoint names keep resolving for anyone who built links on them.
deprecated_api = Blueprint("api", __name__, url_prefix="/api")

# When /api/ became deprecated: the day /api/v1 took over its routes.
DEPRECATED_SINCE = datetime(2026, 11, 30, tzinfo=timezone.utc)
QUERY_SAFE = "=&%+-._~!$'()*,/:@?"


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


def _searcher():
    return current_app.config["SCOUT_SEARCHER"]


def search_api():
    search = service.parse_search_request(_settings(), request.args)
    results = service.run_search(_searcher(), search)
    return jsonify(service.search_json(results, search.page, search.limit))


def page_api(page_id: int):
    service.check_parameters(request.args, ())
    page = service.page_detail(_settings(), page_id)
    if page is None:
        abort(404, description=f"there is no page with id {page_id}")
    return jsonify(shapes.page(page))


def stats_api():
    service.check_parameters(request.args, ())
    return jsonify(service.stats(_settings()))


def coverage_api():
    service.check_parameters(request.args, ())
    return jsonify(service.coverage(_settings()))


def openapi_document():
    service.check_parameters(request.args, ())
    return jsonify(openapi.document(current_app.config["SESSION_COOKIE_NAME"]))


# Signed, so that /pages/-1 reaches the view and gets the same clear 404 as any other id without a page.
PAGE_RULE = "<int(signed=True):page_id>"
ROUTES: list[tuple[str, str, Callable[..., Any]]] = [
    # (rule under /api/v1, rule under /api/ or "" where there was none, view)
    ("/search", "/search", search_api),
    (f"/pages/{PAGE_RULE}", f"/page/{PAGE_RULE}", page_api),
    ("/stats", "/stats", stats_api),
    ("/coverage", "/coverage", coverage_api),
    ("/openapi.json", "", openapi_document),
]


@deprecated_api.after_request
def _mark_deprecated(response):
    """Every answer of an old route, errors included, says so and names its /api/v1 successor."""
    successor = url_for(f"{api_v1.name}.{request.endpoint.rpartition('.')[2]}", **(request.view_args or {}))
    if request.query_string:
        # Re-quoted, so that a raw "<", ">" or ";" sent in the query cannot end the link early.
        successor += "?" + quote(request.query_string.decode("latin-1"), safe=QUERY_SAFE)
    response.headers["Deprecation"] = f"@{int(DEPRECATED_SINCE.timestamp())}"
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'
    return response


for rule, old_rule, view in ROUTES:
    api_v1.add_url_rule(rule, view_func=view, methods=["GET"])
    if old_rule:
        deprecated_api.add_url_rule(old_rule, view_func=view, methods=["GET"])
