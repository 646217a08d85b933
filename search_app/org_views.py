"""Organisation routes: the profile page and its JSON, and the list of organisations.

Same pattern as views.py: check the arguments, one service call (search_app.organisations), render or JSON.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from scout import shapes
from search_app import organisations, service

organisation_web = Blueprint("organisation_web", __name__)
organisation_api = Blueprint("organisation_api", __name__, url_prefix="/api/v1")


def _settings():
    return current_app.config["SCOUT_SETTINGS"]


def _profile_or_404(organisation_id: str):
    profile = organisations.organisation_profile(_settings(), organisation_id)
    if profile is None:
        abort(404, description=f"There is no organisation with id {organisation_id[:100]!r}.")
    return profile


@organisation_web.get("/org/<organisation_id>")
def organisation_page(organisation_id: str):
    # The search it was opened from rides along (validated like the search itself) for the way back.
    service.parse_search_request(_settings(), request.args, formats=())
    return render_template("org.html", org=_profile_or_404(organisation_id))


@organisation_api.get("/organisations")
def organisation_list_api():
    filters = service.parse_organisation_filters(request.args)
    entries = organisations.organisation_list(_settings(), **filters)
    return jsonify({"total": len(entries), "organisations": [shapes.organisation_summary(e) for e in entries]})


@organisation_api.get("/organisations/<organisation_id>")
def organisation_api_detail(organisation_id: str):
    service.check_parameters(request.args, ())
    return jsonify(shapes.organisation_profile(_profile_or_404(organisation_id)))
