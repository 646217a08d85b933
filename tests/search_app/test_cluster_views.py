"""Roster, match and shortlist pages and their /api/v1 routes, seen by users of two clusters.

The login layer (search_app/access.py) sets `flask.g.user`; here a test-only before_request hook does,
from the X-Test-User header ("cluster:role:name"), and csrf_token() is a stand-in.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from flask import g, request
from openpyxl import load_workbook

from indexer.index.fulltext import build_index
from scout.settings import load_settings
from search_app import create_app, shortlists
from store import Store

from .cluster_fixtures import CLUSTER, FORMULA, LASER_SME, OTHER_CLUSTER, fill_store, word_encoder

STAFF = {"X-Test-User": f"{CLUSTER}:staff:ana"}
SCOUT = {"X-Test-User": f"{CLUSTER}:scout:sam"}
OTHER = {"X-Test-User": f"{OTHER_CLUSTER}:staff:olga"}
HOSTILE_SME = {**LASER_SME, "name": "<script>alert(1)</script> Lasers", "name_key": "script lasers",
               "website_key": "hostile.example", "capabilities": "<img src=x onerror=alert(1)>",
               "profile": {"applications": [], "role": None}}


@pytest.fixture
def setup(tmp_path):
    settings = load_settings(tmp_path / "data", environ={})
    with Store.open(settings.database_path) as store:
        fill_store(store)
        build_index(store, settings.index_dir)
        sme_id = store.save_sme(CLUSTER, LASER_SME)[0]
        hostile_id = store.save_sme(CLUSTER, HOSTILE_SME)[0]
        shortlist = shortlists.create(store, CLUSTER, "OCT partners")
        item_id = shortlists.add_organisation(store, CLUSTER, shortlist["id"], "skin-clinic", note="first")
        shortlists.add_organisation(store, CLUSTER, shortlist["id"], "oct-lasers")
    app = create_app(settings)
    app.testing = True
    app.config["SCOUT_MATCH_ENCODER"] = word_encoder
    app.jinja_env.globals["csrf_token"] = lambda: "test-token"

    @app.before_request
    def test_user():
        header = request.headers.get("X-Test-User")
        if header:
            cluster_id, role, name = header.split(":")
            g.user = SimpleNamespace(cluster_id=cluster_id, role=role, name=name)

    return SimpleNamespace(client=app.test_client(), settings=settings, sme_id=sme_id, hostile_id=hostile_id,
                           shortlist_id=shortlist["id"], item_id=item_id)


def test_roster_and_sme_pages(setup):
    page = setup.client.get("/smes", headers=SCOUT)
    assert page.status_code == 200 and "Swept Lasers GmbH" in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; Lasers" in page.text
    detail = setup.client.get(f"/smes/{setup.sme_id}", headers=SCOUT)
    assert detail.status_code == 200
    assert "OCT Systems Inc" in detail.text and "both A20 Optical coherence tomography" in detail.text
    assert 'name="csrf_token" value="test-token"' in detail.text
    hostile = setup.client.get(f"/smes/{setup.hostile_id}", headers=SCOUT)
    assert "<img src=x" not in hostile.text


def test_roster_api(setup):
    listed = setup.client.get("/api/v1/smes", headers=SCOUT).get_json()
    assert {sme["name"] for sme in listed["smes"]} == {"Swept Lasers GmbH", HOSTILE_SME["name"]}
    one = setup.client.get(f"/api/v1/smes/{setup.sme_id}", headers=SCOUT).get_json()
    assert setup.client.get("/api/v1/smes/999", headers=SCOUT).status_code == 404
    assert one["applications"][0]["application"] == "A20" and one["role"]["role"] == "component-supplier"


def test_matches_page_and_api(setup):
    api = setup.client.get(f"/api/v1/matches?sme={setup.sme_id}", headers=SCOUT).get_json()
    assert api["for"] == "sme"
    assert [m["organisation_id"] for m in api["matches"]] == ["oct-systems", "oct-lasers"]
    by_org = setup.client.get("/api/v1/matches?org=oct-systems", headers=SCOUT).get_json()
    assert [m["sme"] for m in by_org["matches"]] == ["Swept Lasers GmbH"]
    page = setup.client.get("/matches?org=oct-systems", headers=SCOUT)
    assert page.status_code == 200 and "Swept Lasers GmbH" in page.text
    chooser = setup.client.get("/matches", headers=SCOUT)
    assert chooser.status_code == 200 and f"/matches?sme={setup.sme_id}" in chooser.text
    bad = setup.client.get("/api/v1/matches?sme=1&org=x", headers=SCOUT)
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "org"
    bad_page = setup.client.get("/matches?sme=abc", headers=SCOUT)
    assert bad_page.status_code == 400 and "sme must be a positive whole number" in bad_page.text
    assert setup.client.get("/api/v1/matches?org=nobody", headers=SCOUT).status_code == 404


def test_shortlist_pages_add_annotate_reorder_remove(setup):
    client = setup.client
    listing = client.get("/shortlists", headers=SCOUT)
    assert listing.status_code == 200 and "OCT partners" in listing.text
    created = client.post("/shortlists", data={"name": "New list", "csrf_token": "t"}, headers=SCOUT)
    assert created.status_code == 303
    added = client.post("/shortlists/items", headers=SCOUT, data={
        "kind": "match", "sme_id": setup.sme_id, "organisation_id": "oct-systems", "shortlist": "OCT partners"})
    assert added.status_code == 303 and added.location.endswith(f"/shortlists/{setup.shortlist_id}")
    detail = client.get(f"/shortlists/{setup.shortlist_id}", headers=STAFF)
    assert detail.text.count('class="shortlist-item"') == 3 and "for Swept Lasers GmbH" in detail.text
    assert f"/api/v1/shortlists/{setup.shortlist_id}/export?format=xlsx" in detail.text

    base = f"/shortlists/{setup.shortlist_id}/items/{setup.item_id}"
    assert client.post(base, data={"action": "annotate", "status": "contacted"}, headers=SCOUT).status_code == 403
    assert client.post(base, data={"action": "annotate", "status": "interested", "note": "call", "owner": "ana"},
                       headers=STAFF).status_code == 303
    assert client.post(base, data={"action": "down"}, headers=STAFF).status_code == 303
    bad = client.post(base, data={"action": "annotate", "status": "maybe"}, headers=STAFF)
    assert bad.status_code == 400 and "status must be one of" in bad.text
    items = client.get(f"/api/v1/shortlists/{setup.shortlist_id}", headers=STAFF).get_json()["items"]
    assert [i["organisation_id"] for i in items] == ["oct-lasers", "skin-clinic", "oct-systems"]
    assert (items[1]["status"], items[1]["note"], items[1]["owner"]) == ("interested", "call", "ana")
    assert items[2]["kind"] == "match" and items[2]["owner"] == "sam" and items[2]["reasons"]
    assert client.post(base, data={"action": "remove"}, headers=STAFF).status_code == 303
    assert len(client.get(f"/api/v1/shortlists/{setup.shortlist_id}", headers=STAFF).get_json()["items"]) == 2


def test_shortlist_exports_over_http(setup):
    url = f"/api/v1/shortlists/{setup.shortlist_id}/export"
    assert setup.client.get(f"{url}?format=csv", headers=SCOUT).status_code == 403
    response = setup.client.get(f"{url}?format=csv", headers=STAFF)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="OCT-partners.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0]["page title"] == "'" + FORMULA and rows[0]["note"] == "first"
    xlsx = setup.client.get(f"{url}?format=xlsx", headers=STAFF)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=3, column=header.index("source URL") + 1).value == "https://oct-lasers.example/lasers"
    bad = setup.client.get(f"{url}?format=pdf", headers=STAFF)
    assert bad.status_code == 400 and "format must be csv or xlsx" in bad.get_json()["error"]["message"]


def test_search_export_keeps_the_filters_and_every_result(setup):
    response = setup.client.get("/api/v1/search/export?q=&format=csv&app=A20&page=3", headers=SCOUT)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted(row["organisation id"] for row in rows) == ["oct-lasers", "oct-systems"]
    assert all(row["application id"] == "A20" and row["crawl date"] for row in rows)
    assert setup.client.get("/api/v1/search/export?q=x", headers=SCOUT).status_code == 400
    assert setup.client.get("/api/v1/search/export?q=x&format=xlsx&trl_min=99", headers=SCOUT).status_code == 400


def test_another_cluster_sees_nothing_of_this_one_by_id(setup):
    client = setup.client
    assert client.get("/api/v1/smes", headers=OTHER).get_json() == {"smes": []}
    assert client.get("/api/v1/shortlists", headers=OTHER).get_json() == {"shortlists": []}
    for url in (f"/smes/{setup.sme_id}", f"/api/v1/smes/{setup.sme_id}", f"/shortlists/{setup.shortlist_id}",
                f"/api/v1/shortlists/{setup.shortlist_id}", f"/api/v1/shortlists/{setup.shortlist_id}/export?format=csv",
                f"/api/v1/matches?sme={setup.sme_id}", f"/matches?sme={setup.sme_id}"):
        response = client.get(url, headers=OTHER)
        assert response.status_code == 404, url
        assert "Swept Lasers" not in response.text and "OCT partners" not in response.text
    changed = client.post(f"/shortlists/{setup.shortlist_id}/items/{setup.item_id}",
                          data={"action": "remove"}, headers=OTHER)
    added = client.post("/shortlists/items", headers=OTHER,
                        data={"kind": "organisation", "organisation_id": "oct-lasers", "shortlist_id": setup.shortlist_id})
    assert changed.status_code == added.status_code == 404
    assert len(client.get(f"/api/v1/shortlists/{setup.shortlist_id}", headers=STAFF).get_json()["items"]) == 2


def test_without_a_signed_in_cluster_user_everything_is_refused(setup):
    for url in ("/smes", "/api/v1/smes", "/shortlists", f"/api/v1/shortlists/{setup.shortlist_id}", "/matches"):
        assert setup.client.get(url).status_code == 403, url
    assert setup.client.get("/api/v1/smes").get_json()["error"]["code"] == "forbidden"
