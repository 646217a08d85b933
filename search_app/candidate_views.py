"""Candidates: organisations found on listing pages, for a scout to accept into the registry or reject.

GET /candidates lists them with their evidence and an accept and a reject form each; the forms POST back
here. GET /api/v1/candidates answers the same list as `scout candidates --json`. The work is done by
scout.discovery, which the CLI calls too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from scout import discovery, shapes
from scout.registry import MARKETS, TYPES
from search_app import service
from search_app.service import RequestError
from store import Store
from taxonomy import APPLICATIONS

candidate_web = Blueprint("candidates", __name__)
candidate_api = Blueprint("candidates_api", __name__, url_prefix="/api/v1")

LIST_PARAMETERS = ("market", "app")
DECISION_FIELDS = ("csrf_token", "type", "country", "market")


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


def _filters(args) -> tuple[str | None, str | None]:
    service.check_parameters(args, LIST_PARAMETERS)
    market = (args.get("market") or "").strip().lower() or None
    if market is not None and market not in MARKETS:
        raise RequestError(f"market: unknown market {market[:40]!r}; use one of {', '.join(sorted(MARKETS))}",
                           "market")
    application = (args.get("app") or "").strip().upper() or None
    if application is not None and application not in APPLICATIONS:
        raise RequestError(f"app: unknown application id {application[:40]!r}; use A01..A35", "app")
    return market, application


def _listing(market: str | None, application: str | None) -> tuple[list, dict[str, Any]]:
    if not _settings().database_path.exists():  # a request must not create an empty store
        return [], {}
    with Store.open(_settings().database_path) as store:
        return (discovery.candidates(store, market=market, application=application),
                {org["id"]: org for org in store.organisations()})


def _page(market: str | None, application: str | None, message: str | None = None, error: str | None = None,
          status: int = 200):
    found, organisations = _listing(market, application)
    return render_template("candidates.html", candidates=found, organisations=organisations, market=market,
                           application=application, markets=sorted(MARKETS), types=sorted(TYPES),
                           message=message, error=error), status


@candidate_web.get("/candidates")
def candidates_page():
    try:
        market, application = _filters(request.args)
    except RequestError as exc:
        return _page(None, None, error=str(exc), status=400)
    return _page(market, application)


@candidate_web.post("/candidates/<candidate_id>/<any(accept, reject):decision>")
def decide(candidate_id: str, decision: str):
    form = request.form
    unknown = [name for name in form if name not in DECISION_FIELDS]
    if unknown or request.args:
        return _page(None, None, error=f"unknown field {(unknown or list(request.args))[0][:40]!r}", status=400)
    if not _settings().database_path.exists():
        return _page(None, None, error=f"There is no candidate {candidate_id!r}.", status=404)
    with Store.open(_settings().database_path) as store:
        try:
            if decision == "reject":
                discovery.reject(store, candidate_id)
                message = f"Rejected {candidate_id}: it will not be proposed again."
            else:
                organisation = discovery.accept(
                    store, _settings().data_dir, candidate_id, form.get("type") or "company",
                    (form.get("country") or "").strip() or None, (form.get("market") or "").strip().lower() or None)
                message = (f"Accepted {candidate_id} as organisation {organisation.id}; "
                           + ("the next crawl fetches it." if organisation.crawlable else "it has no website to crawl."))
        except discovery.CandidateError as exc:
            return _page(None, None, error=str(exc), status=400)
    return _page(None, None, message=message)


@candidate_api.get("/candidates")
def candidates_api():
    market, application = _filters(request.args)
    found, organisations = _listing(market, application)
    return jsonify(shapes.candidates(found, organisations))
