"""Routes for a partner cluster's roster, matches and shortlists, in HTML and under /api/v1.

Everything is scoped by the signed-in user's cluster (`flask.g.user.cluster_id`, set by the app's login
layer): another cluster's SME or shortlist is answered 404, exactly like one that does not exist.
Scouts may view, match and add to shortlists; staff and admins may also annotate, reorder, remove and
export. Views stay thin: parse, one service call, render or JSON.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for

from scout import shapes
from search_app import exports, matching, rosters, service, shortlists
from search_app.service import RequestError
from store import Store, StoreError
from store.clusters import SHORTLIST_STATUSES

cluster_web = Blueprint("cluster", __name__)
cluster_api = Blueprint("cluster_api", __name__, url_prefix="/api/v1")

EDITING_ROLES = frozenset({"staff", "admin"})
MATCH_LIMIT = 20


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


def _cluster() -> str:
    user = getattr(g, "user", None)
    cluster_id = getattr(user, "cluster_id", None)
    if not cluster_id:
        abort(403, description="Sign in as a member of a partner cluster to see its roster, matches and shortlists.")
    return cluster_id


def _require_editor() -> None:
    if getattr(getattr(g, "user", None), "role", None) not in EDITING_ROLES:
        abort(403, description="Only cluster staff can annotate, reorder, remove or export shortlist items.")


def _encoder():
    """MiniLM, unless the app was configured with another encoder (tests use a fast one)."""
    return current_app.config.get("SCOUT_MATCH_ENCODER")


@contextmanager
def _store() -> Iterator[Store]:
    path = _settings().database_path
    if not path.exists():  # a request must not create an empty store as a side effect
        abort(503, description="No Scout data yet: run scout crawl, scout process, scout index.")
    try:
        with Store.open(path) as store:
            yield store
    except shortlists.NotFound as exc:
        abort(404, description=str(exc))
    except (shortlists.ShortlistError, exports.ExportError) as exc:
        raise RequestError(str(exc)) from None
    except StoreError as exc:
        abort(503, description=str(exc))


def _id_argument(name: str) -> int | None:
    raw = (request.values.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise RequestError(f"{name} must be a positive whole number, not {raw[:40]!r}", name)
    return int(raw)


# -- roster -------------------------------------------------------------------------------------------


@cluster_web.get("/smes")
def smes_page():
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        smes = [shapes.sme(entry) for entry in rosters.roster(store, cluster_id)]
    return render_template("smes.html", cluster_id=cluster_id, smes=smes)


@cluster_web.get("/smes/<int:sme_id>")
def sme_page(sme_id: int):
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        sme, ranked = _sme_and_matches(store, cluster_id, sme_id)
        names = store.shortlists(cluster_id)
    return render_template("sme.html", sme=sme, matches=ranked, shortlists=names)


@cluster_api.get("/smes")
def smes_api():
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        return jsonify({"smes": [shapes.sme(entry) for entry in rosters.roster(store, cluster_id)]})


@cluster_api.get("/smes/<int:sme_id>")
def sme_api(sme_id: int):
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        sme = store.sme(cluster_id, sme_id)
        if sme is None:
            abort(404, description=f"there is no SME with id {sme_id}")
        return jsonify(shapes.sme(sme))


def _sme_and_matches(store: Store, cluster_id: str, sme_id: int):
    sme = store.sme(cluster_id, sme_id)
    if sme is None:
        abort(404, description=f"There is no SME with id {sme_id}.")
    ranked = matching.matches_for_sme(store, cluster_id, sme_id, MATCH_LIMIT, _encoder())
    return shapes.sme(sme), [m.for_sme() for m in ranked]


# -- matches ------------------------------------------------------------------------------------------


def _matches(store: Store, cluster_id: str) -> tuple[str, str, list[dict]]:
    """(what was matched: "sme" / "organisation" / "page", its label, the ranked matches) for ?sme= | ?org= | ?page="""
    service.check_parameters(request.args, ("sme", "org", "page"))
    given = [name for name in ("sme", "org", "page") if request.args.get(name)]
    if len(given) != 1:
        raise RequestError("give one of sme (an SME id), org (an organisation id) or page (a page id)",
                           given[1] if given else "sme")
    if given == ["sme"]:
        sme, ranked = _sme_and_matches(store, cluster_id, _id_argument("sme"))
        return "sme", sme["name"], ranked
    if given == ["org"]:
        organisation_id = request.args["org"]
        ranked = matching.smes_for_organisation(store, cluster_id, organisation_id, MATCH_LIMIT, _encoder())
        if ranked is None:
            abort(404, description=f"There is no organisation with id {organisation_id[:80]!r}.")
        return "organisation", store.organisation(organisation_id)["name"], [m.for_organisation() for m in ranked]
    page_id = _id_argument("page")
    ranked = matching.smes_for_page(store, cluster_id, page_id, MATCH_LIMIT, _encoder())
    if ranked is None:
        abort(404, description=f"There is no page with id {page_id}.")
    return "page", store.page(page_id).title, [{**m.for_organisation(), "organisation_id": m.organisation_id}
                                              for m in ranked]


@cluster_web.get("/matches")
def matches_page():
    cluster_id = _cluster()
    with _store() as store:
        try:
            kind, label, ranked = _matches(store, cluster_id)
        except RequestError as exc:
            smes = rosters.roster(store, cluster_id)
            return render_template("matches.html", kind=None, label=None, matches=[], smes=smes, shortlists=[],
                                   error=str(exc) if request.args else None), 400 if request.args else 200
        names = store.shortlists(cluster_id)
    return render_template("matches.html", kind=kind, label=label, matches=ranked, smes=[], shortlists=names,
                           error=None)


@cluster_api.get("/matches")
def matches_api():
    cluster_id = _cluster()
    with _store() as store:
        kind, _label, ranked = _matches(store, cluster_id)
    return jsonify({"for": kind, "matches": ranked})


# -- shortlists ---------------------------------------------------------------------------------------


@cluster_web.get("/shortlists")
def shortlists_page():
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        found = shortlists.all_shortlists(store, cluster_id)
    return render_template("shortlists.html", shortlists=found)


@cluster_web.post("/shortlists")
def create_shortlist():
    cluster_id = _cluster()
    with _store() as store:
        created = shortlists.create(store, cluster_id, request.form.get("name", ""))
    return redirect(url_for("cluster.shortlist_page", shortlist_id=created["id"]), 303)


@cluster_web.get("/shortlists/<int:shortlist_id>")
def shortlist_page(shortlist_id: int):
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        detail = shortlists.detail(store, cluster_id, shortlist_id)
    return render_template("shortlist.html", shortlist=detail, statuses=SHORTLIST_STATUSES,
                           can_edit=getattr(g.user, "role", None) in EDITING_ROLES)


@cluster_web.post("/shortlists/items")
def add_item():
    """Add a page, organisation or match to a shortlist named in the form (created when new)."""
    cluster_id = _cluster()
    kind = request.form.get("kind", "")
    owner = getattr(g.user, "name", "") or ""
    with _store() as store:
        shortlist_id = _id_argument("shortlist_id")
        target = (shortlists.get(store, cluster_id, shortlist_id) if shortlist_id is not None
                  else shortlists.named(store, cluster_id, request.form.get("shortlist", ""), create_missing=True))
        note = request.form.get("note", "")
        if kind == "organisation":
            shortlists.add_organisation(store, cluster_id, target["id"], request.form.get("organisation_id", ""),
                                        note, owner)
        elif kind == "page":
            shortlists.add_page(store, cluster_id, target["id"], _id_argument("page_id") or 0, note, owner)
        elif kind == "match":
            shortlists.add_match(store, cluster_id, target["id"], _id_argument("sme_id") or 0,
                                 request.form.get("organisation_id", ""), note, owner, _encoder())
        else:
            raise RequestError("kind must be organisation, page or match", "kind")
    return redirect(url_for("cluster.shortlist_page", shortlist_id=target["id"]), 303)


@cluster_web.post("/shortlists/<int:shortlist_id>/items/<int:item_id>")
def change_item(shortlist_id: int, item_id: int):
    """One form per action: annotate (status, note, owner), up, down, or remove."""
    cluster_id = _cluster()
    _require_editor()
    action = request.form.get("action", "")
    with _store() as store:
        if action == "annotate":
            shortlists.annotate(store, cluster_id, shortlist_id, item_id, request.form.get("status"),
                                request.form.get("note"), request.form.get("owner"))
        elif action in ("up", "down"):
            shortlists.move(store, cluster_id, shortlist_id, item_id, action)
        elif action == "remove":
            shortlists.remove(store, cluster_id, shortlist_id, item_id)
        else:
            raise RequestError("action must be annotate, up, down or remove", "action")
    return redirect(url_for("cluster.shortlist_page", shortlist_id=shortlist_id), 303)


@cluster_api.get("/shortlists")
def shortlists_api():
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        return jsonify({"shortlists": [shapes.shortlist(entry) for entry in shortlists.all_shortlists(store, cluster_id)]})


@cluster_api.get("/shortlists/<int:shortlist_id>")
def shortlist_api(shortlist_id: int):
    service.check_parameters(request.args, ())
    cluster_id = _cluster()
    with _store() as store:
        return jsonify(shapes.shortlist(shortlists.detail(store, cluster_id, shortlist_id)))


@cluster_api.get("/shortlists/<int:shortlist_id>/export")
def shortlist_export(shortlist_id: int):
    service.check_parameters(request.args, ("format",))
    cluster_id = _cluster()
    _require_editor()
    with _store() as store:
        export_format = exports.check_format(request.args.get("format") or "")
        shortlist = shortlists.get(store, cluster_id, shortlist_id)
        rows = exports.shortlist_rows(store, cluster_id, shortlist_id)
    return _download(exports.write(rows, exports.SHORTLIST_COLUMNS, export_format), shortlist["name"], export_format)


# -- a whole search --------------------------------------------------------------------------------------


@cluster_api.get("/search/export")
def search_export():
    """Every result of a search with the user's filters (not only the pages the UI pages through)."""
    args = request.args.copy()
    args.poplist("page")
    args.poplist("limit")
    search = service.parse_search_request(_settings(), args, formats=exports.FORMATS)
    if not search.format:
        raise RequestError("format must be 'csv' or 'xlsx'", "format")
    rows = exports.search_rows(current_app.config["SCOUT_SEARCHER"], search)
    return _download(exports.write(rows, exports.SEARCH_COLUMNS, search.format), f"scout-{search.text or 'search'}",
                     search.format)


def _download(data: bytes, stem: str, export_format: str) -> Response:
    response = Response(data, mimetype=exports.MEDIA_TYPES[export_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(stem, export_format)}"'
    return response
