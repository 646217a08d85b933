"""The "Add to shortlist" forms of /matches carry the SME or organisation their list was ranked for."""

from __future__ import annotations

import re

from .accounts import form_csrf_token
from .test_openapi import cluster  # noqa: F401  (a fixture)


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def add_first_match(client, html: str) -> int:
    form = dict(zip(("sme_id", "organisation_id"), (hidden(html, "sme_id")[0], hidden(html, "organisation_id")[0])))
    response = client.post("/shortlists/items", data={**form, "kind": "match", "shortlist": "From /matches",
                                                      "csrf_token": form_csrf_token(html)})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_smes_matches_add_that_sme(cluster):  # noqa: F811
    html = cluster.client.get(f"/matches?sme={cluster.sme_id}").text
    assert set(hidden(html, "sme_id")) == {str(cluster.sme_id)}
    assert hidden(html, "organisation_id")[0] == "oct-systems"
    shortlist_id = add_first_match(cluster.client, html)
    items = cluster.client.get(f"/api/v1/shortlists/{shortlist_id}").get_json()["items"]
    assert [(item["kind"], item["sme_id"], item["organisation_id"]) for item in items] == [
        ("match", cluster.sme_id, "oct-systems")]


def test_an_organisations_matches_add_that_organisation(cluster):  # noqa: F811
    html = cluster.client.get("/matches?org=oct-systems").text
    assert set(hidden(html, "organisation_id")) == {"oct-systems"}
    shortlist_id = add_first_match(cluster.client, html)
    items = cluster.client.get(f"/api/v1/shortlists/{shortlist_id}").get_json()["items"]
    assert [(item["sme_id"], item["organisation_id"]) for item in items] == [(cluster.sme_id, "oct-systems")]
