"""Scout's search UI and JSON API (Flask): search the index, read a page's tags, evidence and TRL.

Everything shown comes from scraped websites, so it is untrusted: templates autoescape everything, no
template marks scraped text safe, and a strict Content-Security-Policy forbids inline scripts as a
second line of defence.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from retrieval.results import TRL_BANDS
from retrieval.service import Searcher
from scout import shapes
from scout.settings import Settings
from search_app import auth_views, links, service
from search_app.api_v1 import api_v1, deprecated_api
from search_app.candidate_views import candidate_api, candidate_web
from search_app.cluster_views import cluster_api, cluster_web
from search_app.org_views import organisation_api, organisation_web
from search_app.service import NO_INDEX_MESSAGE, STALE_INDEX_MESSAGE, IndexMissingError, RequestError, StaleIndexError
from search_app.views import web

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    app.config["SCOUT_SETTINGS"] = settings
    # One per app: it opens the index on the first search and keeps it open until `scout index` swaps it.
    app.config["SCOUT_SEARCHER"] = Searcher(settings.index_dir, settings.database_path)
    app.json.sort_keys = False  # keep "query, total, results, facets" in the documented order
    # Flask only autoescapes .html/.xml by name; make it unconditional so no template can opt out by suffix.
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(
        application_name=service.application_name,
        application_description=service.application_description,
        application_choices=service.application_choices,
        trl_labels=service.TRL_LABELS,
        trl_definitions=service.TRL_DEFINITIONS,
        low_trl_confidence=service.LOW_TRL_CONFIDENCE,
        facet_params=links.FACET_PARAMS,
        with_filter=links.with_filter,
        without_filter=links.without_filter,
        with_trl=links.with_trl,
        with_trl_band=links.with_trl_band,
        trl_bands=TRL_BANDS,
        area_label=service.area_label,
        role_label=service.role_label,
        without_trl=links.without_trl,
        with_page=links.with_page,
        external_href=links.external_href,
        carried=links.carried,
        with_value=links.with_value,
        country_name=service.country_name,
        market_name=service.market_name,
    )
    app.jinja_env.filters["short_date"] = _short_date

    auth_views.install(app)  # first: every other route needs a logged-in user and a CSRF token to change things
    app.register_blueprint(web)
    app.register_blueprint(api_v1)
    app.register_blueprint(deprecated_api)
    app.register_blueprint(organisation_web)
    app.register_blueprint(organisation_api)
    app.register_blueprint(cluster_web)
    app.register_blueprint(cluster_api)
    app.register_blueprint(candidate_web)
    app.register_blueprint(candidate_api)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RequestError, _request_error)
    app.register_error_handler(IndexMissingError, _index_error)
    app.register_error_handler(StaleIndexError, _index_error)
    app.after_request(_security_headers)
    return app


def _security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers without CSP level 2
    # Result pages carry the user's query in their URL; don't hand it to the sites they link to.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _http_error(error: HTTPException):
    status = error.code or 500
    if _wants_json():
        # "Not Found" -> "not_found": a stable code a program can test, beside the message for people.
        code = error.name.lower().replace(" ", "_").replace("'", "")
        return jsonify(shapes.error(code, error.description or error.name)), status
    return _error_page(status, error.name, error.description)


def _request_error(error: RequestError):
    if _wants_json():
        return jsonify(shapes.error(error.code, str(error), error.parameter)), 400
    return _error_page(400, "Bad Request", str(error))


def _index_error(error: Exception):
    code, message = (("stale_index", STALE_INDEX_MESSAGE) if isinstance(error, StaleIndexError)
                     else ("no_index", NO_INDEX_MESSAGE))
    if _wants_json():
        return jsonify(shapes.error(code, message)), 503
    return _error_page(503, "Service Unavailable", message)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.args.get("format") == "json"


def _error_page(status: int, title: str, message: str | None):
    return render_template("error.html", status=status, title=title, message=message), status


def _short_date(value: str | None) -> str:
    """'2024-05-01T12:34:56+00:00' -> '2024-05-01 12:34 UTC'; stored timestamps are always UTC ISO-8601."""
    if not value:
        return "—"
    date, _, time = value.partition("T")
    return f"{date} {time[:5]} UTC" if time else date
