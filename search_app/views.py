"""Routes. Each view parses its arguments, makes one service call, then renders HTML or returns JSON."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from search_app import service
from search_app.service import NO_INDEX_MESSAGE, IndexMissingError, RequestError

web = Blueprint("web", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


def _json_error(message: str, status: int):
    return jsonify({"error": message}), status


# -- HTML ---------------------------------------------------------------------------------------------


@web.get("/")
def search_page():
    wants_json = request.args.get("format") == "json"
    if wants_json:
        return search_api()
    context = {"query": request.args.get("q", ""), "filters": None, "page": 1, "results": None, "error": None}
    status = 200
    try:
        query, filters, page = service.parse_search_request(request.args)
        context.update(query=query, filters=filters, page=page)
        context["results"] = service.run_search(_settings(), query, filters, page)
    except RequestError as exc:
        context["error"], status = str(exc), 400
    except IndexMissingError:
        context["error"], status = NO_INDEX_MESSAGE, 503
    return render_template("search.html", **context), status


@web.get("/page/<int:page_id>")
def page_view(page_id: int):
    page = service.page_detail(_settings(), page_id)
    if page is None:
        abort(404)
    return render_template("page.html", page=page)


@web.get("/coverage")
def coverage_page():
    return render_template("coverage.html", report=service.coverage(_settings()))


# -- JSON ---------------------------------------------------------------------------------------------


@api.get("/search")
def search_api():
    try:
        query, filters, page = service.parse_search_request(request.args)
        results = service.run_search(_settings(), query, filters, page)
    except RequestError as exc:
        return _json_error(str(exc), 400)
    except IndexMissingError:
        return _json_error(NO_INDEX_MESSAGE, 503)
    return jsonify(service.search_json(results, page))


@api.get("/page/<int:page_id>")
def page_api(page_id: int):
    page = service.page_detail(_settings(), page_id)
    if page is None:
        return _json_error(f"no page with id {page_id}", 404)
    return jsonify(service.page_json(page))


@api.get("/stats")
def stats_api():
    return jsonify(service.stats(_settings()))


@api.get("/coverage")
def coverage_api():
    return jsonify(service.coverage(_settings()))
