"""Routes. Each view checks its arguments, makes one service call, then renders HTML or returns JSON.

A RequestError (a bad parameter) or a missing index raised here is answered by the app's error handlers
(search_app/__init__.py): JSON under /api/, an error page elsewhere. The index's JSON routes are in api_v1.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from retrieval.query import EXAMPLES
from retrieval.requests import query_language_help
from search_app import links, service
from search_app.api_v1 import search_api
from search_app.service import NO_INDEX_MESSAGE, IndexMissingError, RequestError

web = Blueprint("web", __name__)


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


# -- HTML ---------------------------------------------------------------------------------------------


@web.get("/")
def search_page():
    if request.args.get("format") == "json":
        return search_api()
    context = {"query": request.args.get("q", ""), "filters": None, "page": 1, "pages": 0, "results": None,
               "error": None, "sort": "relevance", "group": "", "charts": None, "organisation_names": {},
               "countries": service.country_choices(), "trl_records": {}}
    status = 200
    # The search page shows a bad parameter or a missing index above the form, so the user can fix it there.
    try:
        search = service.parse_search_request(_settings(), request.args, formats=("html", "json"))
        context.update(query=search.text, filters=search, page=search.page, sort=search.sort, group=search.group)
        results = service.run_search(current_app.config["SCOUT_SEARCHER"], search)
        context.update(results=results, pages=service.result_page_count(results, search.limit),
                       charts=service.result_charts(results, links.chart_cell_href(request.args)),
                       organisation_names=service.organisation_names(
                           _settings(), {value for value, _ in results.facets.get("organisation_id", ())}
                           | set(search.organisations)),
                       countries=service.country_choices(value for value, _ in results.facets.get("country", ())),
                       trl_records=service.trl_records(_settings(), [hit.page_id for hit in results.hits]))
    except RequestError as exc:
        context["error"], status = str(exc), 400
    except IndexMissingError:
        context["error"], status = NO_INDEX_MESSAGE, 503
    return render_template("search.html", **context), status


@web.get("/help/search")
def search_help():
    service.check_parameters(request.args, ())
    return render_template("search_help.html", examples=EXAMPLES, grammar=query_language_help())


# Signed, so that /page/-1 reaches the view and gets the same clear 404 as any other id without a page.
@web.get("/page/<int(signed=True):page_id>")
def page_view(page_id: int):
    # The search it was opened from rides along (validated like the search itself) for the way back.
    service.parse_search_request(_settings(), request.args, formats=())
    page = service.page_detail(_settings(), page_id)
    if page is None:
        abort(404, description=f"There is no page with id {page_id}.")
    return render_template("page.html", page=page)


@web.get("/coverage")
def coverage_page():
    service.check_parameters(request.args, ())
    return render_template("coverage.html", report=service.coverage(_settings()))
