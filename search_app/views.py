"""Routes. Each view checks its arguments, makes one service call, then renders HTML or returns JSON.

A RequestError (a bad parameter) or a missing index raised here is answered by the app's error handlers
(search_app/__init__.py): JSON under /api/, an error page elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from scout import shapes
from search_app import service
from search_app.service import NO_INDEX_MESSAGE, IndexMissingError, RequestError

web = Blueprint("web", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


# -- HTML ---------------------------------------------------------------------------------------------


@web.get("/")
def search_page():
    if request.args.get("format") == "json":
        return search_api()
    context = {"query": request.args.get("q", ""), "filters": None, "page": 1, "pages": 0, "results": None,
               "error": None}
    status = 200
    # The search page shows a bad parameter or a missing index above the form, so the user can fix it there.
    try:
        query, filters, page, limit, _format, sort = service.parse_search_request(request.args,
                                                                                  formats=("html", "json"))
        context.update(query=query, filters=filters, page=page, sort=sort)
        results = service.run_search(_settings(), query, filters, page, limit, sort)
        context.update(results=results, pages=service.page_count(results.total, limit))
    except RequestError as exc:
        context["error"], status = str(exc), 400
    except IndexMissingError:
        context["error"], status = NO_INDEX_MESSAGE, 503
    return render_template("search.html", **context), status


# Signed, so that /page/-1 reaches the view and gets the same clear 404 as any other id without a page.
@web.get("/page/<int(signed=True):page_id>")
def page_view(page_id: int):
    service.check_parameters(request.args, ())
    page = service.page_detail(_settings(), page_id)
    if page is None:
        abort(404, description=f"There is no page with id {page_id}.")
    return render_template("page.html", page=page)


@web.get("/coverage")
def coverage_page():
    service.check_parameters(request.args, ())
    return render_template("coverage.html", report=service.coverage(_settings()))


# -- JSON ---------------------------------------------------------------------------------------------


@api.get("/search")
def search_api():
    query, filters, page, limit, _format, sort = service.parse_search_request(request.args)
    results = service.run_search(_settings(), query, filters, page, limit, sort)
    return jsonify(service.search_json(_settings(), results, page, limit))


@api.get("/page/<int(signed=True):page_id>")
def page_api(page_id: int):
    service.check_parameters(request.args, ())
    page = service.page_detail(_settings(), page_id)
    if page is None:
        abort(404, description=f"there is no page with id {page_id}")
    return jsonify(shapes.page(page))


@api.get("/stats")
def stats_api():
    service.check_parameters(request.args, ())
    return jsonify(service.stats(_settings()))


@api.get("/coverage")
def coverage_api():
    service.check_parameters(request.args, ())
    return jsonify(service.coverage(_settings()))
