"""Roster, match and shortlist pages and their /api/v1 routes, seen by users of two clusters.

Each user logs in through the real login layer (search_app/access.py sets `flask.g.user` from the session),
and every POST carries the session's real CSRF token, as the page's form or an API client sends it.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from scout.settings import load_settings
from search_app import create_app, shortlists
from store import Store
from tests.search_index import build_search_index

from .accounts import add_user, csrf_token, form_csrf_token, log_in
from .cluster_fixtures import CLUSTER, FORMULA, LASER_SME, OTHER_CLUSTER, fill_store, word_encoder

HOSTILE_SME = {**LASER_SME, "name": "<script>alert(1)</script> Lasers", "name_key": "script lasers",
               "website_key": "hostile.example", "capabilities": "<img src=x onerror=alert(1)>",
               "profile": {"applications": [], "role": None}}


@pytest.fixture
def setup(tmp_path):
    settings = load_settings(tmp_path / "data", environ={})
    with Store.open(settings.database_path) as store:
        fill_store(store)
        build_search_index(store, settings.index_dir)
        sme_id = store.save_sme(CLUSTER, LASER_SME)[0]
        hostile_id = store.save_sme(CLUSTER, HOSTILE_SME)[0]
        shortlist = shortlists.create(store, CLUSTER, "OCT partners")
        item_id = shortlists.add_organisation(store, CLUSTER, shortlist["id"], "skin-clinic", note="first")
        shortlists.add_organisation(store, CLUSTER, shortlist["id"], "oct-lasers")
    app = create_app(settings)
    app.testing = True
    app.config["SCOUT_MATCH_ENCODER"] = word_encoder

    def client_for(name, cluster_id, role):
        return log_in(app.test_client(), settings, add_user(settings, name, cluster_id, role))

    # One logged-in client per user: a litek staff member, a litek scout, and staff of another cluster.
    return SimpleNamespace(staff=client_for("ana", CLUSTER, "staff"), scout=client_for("sam", CLUSTER, "scout"),
                           other=client_for("olga", OTHER_CLUSTER, "staff"), anonymous=app.test_client(),
                           settings=settings, sme_id=sme_id, hostile_id=hostile_id,
                           shortlist_id=shortlist["id"], item_id=item_id)


def _post(client, url, data):
    """A form post with the session's CSRF token, as the page's form sends it."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_roster_and_sme_pages(setup):
    page = setup.scout.get("/smes")
    assert page.status_code == 200 and "Swept Lasers GmbH" in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; Lasers" in page.text
    detail = setup.scout.get(f"/smes/{setup.sme_id}")
    assert detail.status_code == 200
    assert "OCT Systems Inc" in detail.text and "both A20 Optical coherence tomography" in detail.text
    assert f'name="csrf_token" value="{csrf_token(setup.scout)}"' in detail.text
    hostile = setup.scout.get(f"/smes/{setup.hostile_id}")
    assert "<img src=x" not in hostile.text


def test_roster_api(setup):
    listed = setup.scout.get("/api/v1/smes").get_json()
    assert {sme["name"] for sme in listed["smes"]} == {"Swept Lasers GmbH", HOSTILE_SME["name"]}
    one = setup.scout.get(f"/api/v1/smes/{setup.sme_id}").get_json()
    assert setup.scout.get("/api/v1/smes/999").status_code == 404
    assert one["applications"][0]["application"] == "A20" and one["role"]["role"] == "component-supplier"


def test_matches_page_and_api(setup):
    api = setup.scout.get(f"/api/v1/matches?sme={setup.sme_id}").get_json()
    assert api["for"] == "sme"
    assert [m["organisation_id"] for m in api["matches"]] == ["oct-systems", "oct-lasers"]
    by_org = setup.scout.get("/api/v1/matches?org=oct-systems").get_json()
    assert [m["sme"] for m in by_org["matches"]] == ["Swept Lasers GmbH"]
    page = setup.scout.get("/matches?org=oct-systems")
    assert page.status_code == 200 and "Swept Lasers GmbH" in page.text
    chooser = setup.scout.get("/matches")
    assert chooser.status_code == 200 and f"/matches?sme={setup.sme_id}" in chooser.text
    bad = setup.scout.get("/api/v1/matches?sme=1&org=x")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "org"
    bad_page = setup.scout.get("/matches?sme=abc")
    assert bad_page.status_code == 400 and "sme must be a positive whole number" in bad_page.text
    assert setup.scout.get("/api/v1/matches?org=nobody").status_code == 404


def test_shortlist_pages_add_annotate_reorder_remove(setup):
    scout, staff = setup.scout, setup.staff
    listing = scout.get("/shortlists")
    assert listing.status_code == 200 and "OCT partners" in listing.text
    # The page's own form, with the token it carries.
    created = scout.post("/shortlists", data={"name": "New list", "csrf_token": form_csrf_token(listing.text)})
    assert created.status_code == 303
    added = _post(scout, "/shortlists/items", {
        "kind": "match", "sme_id": setup.sme_id, "organisation_id": "oct-systems", "shortlist": "OCT partners"})
    assert added.status_code == 303 and added.location.endswith(f"/shortlists/{setup.shortlist_id}")
    detail = staff.get(f"/shortlists/{setup.shortlist_id}")
    assert detail.text.count('class="shortlist-item"') == 3 and "for Swept Lasers GmbH" in detail.text
    assert f"/api/v1/shortlists/{setup.shortlist_id}/export?format=xlsx" in detail.text
    assert f'name="csrf_token" value="{csrf_token(staff)}"' in detail.text

    base = f"/shortlists/{setup.shortlist_id}/items/{setup.item_id}"
    assert _post(scout, base, {"action": "annotate", "status": "contacted"}).status_code == 403
    assert _post(staff, base, {"action": "annotate", "status": "interested", "note": "call", "owner": "ana"}
                 ).status_code == 303
    assert _post(staff, base, {"action": "down"}).status_code == 303
    bad = _post(staff, base, {"action": "annotate", "status": "maybe"})
    assert bad.status_code == 400 and "status must be one of" in bad.text
    items = staff.get(f"/api/v1/shortlists/{setup.shortlist_id}").get_json()["items"]
    assert [i["organisation_id"] for i in items] == ["oct-lasers", "skin-clinic", "oct-systems"]
    assert (items[1]["status"], items[1]["note"], items[1]["owner"]) == ("interested", "call", "ana")
    assert items[2]["kind"] == "match" and items[2]["owner"] == "sam" and items[2]["reasons"]
    assert _post(staff, base, {"action": "remove"}).status_code == 303
    assert len(staff.get(f"/api/v1/shortlists/{setup.shortlist_id}").get_json()["items"]) == 2


def test_every_change_needs_the_sessions_csrf_token(setup):
    staff, base = setup.staff, f"/shortlists/{setup.shortlist_id}/items/{setup.item_id}"
    other_token = csrf_token(setup.other)  # a real token, but of another session
    for url, data in (("/shortlists", {"name": "Forged"}),
                      ("/shortlists/items", {"kind": "organisation", "organisation_id": "oct-systems",
                                             "shortlist_id": setup.shortlist_id}),
                      (base, {"action": "remove"})):
        assert staff.post(url, data=data).status_code == 400, url
        assert staff.post(url, data={**data, "csrf_token": other_token}).status_code == 400, url
        assert staff.post(url, data=data, headers={"X-CSRF-Token": "forged"}).status_code == 400, url
    assert "missing or wrong CSRF token" in staff.post("/shortlists", data={"name": "Forged"}).text
    listed = staff.get("/api/v1/shortlists").get_json()["shortlists"]
    assert [entry["name"] for entry in listed] == ["OCT partners"] and listed[0]["item_count"] == 2
    # An API client sends the token as a header instead.
    made = staff.post("/shortlists", data={"name": "By header"}, headers={"X-CSRF-Token": csrf_token(staff)})
    assert made.status_code == 303


def test_shortlist_exports_over_http(setup):
    url = f"/api/v1/shortlists/{setup.shortlist_id}/export"
    assert setup.scout.get(f"{url}?format=csv").status_code == 403
    response = setup.staff.get(f"{url}?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="OCT-partners.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0]["page title"] == "'" + FORMULA and rows[0]["note"] == "first"
    xlsx = setup.staff.get(f"{url}?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=3, column=header.index("source URL") + 1).value == "https://oct-lasers.example/lasers"
    bad = setup.staff.get(f"{url}?format=pdf")
    assert bad.status_code == 400 and "format must be csv or xlsx" in bad.get_json()["error"]["message"]


def test_search_export_keeps_the_filters_and_every_result(setup):
    response = setup.scout.get("/api/v1/search/export?q=&format=csv&app=A20&page=3")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted(row["organisation id"] for row in rows) == ["oct-lasers", "oct-systems"]
    assert all(row["application id"] == "A20" and row["crawl date"] for row in rows)
    assert setup.scout.get("/api/v1/search/export?q=x").status_code == 400
    assert setup.scout.get("/api/v1/search/export?q=x&format=xlsx&trl_min=99").status_code == 400


def test_another_cluster_sees_nothing_of_this_one_by_id(setup):
    other = setup.other
    assert other.get("/api/v1/session").get_json()["user"]["cluster_id"] == OTHER_CLUSTER
    assert other.get("/api/v1/smes").get_json() == {"smes": []}
    assert other.get("/api/v1/shortlists").get_json() == {"shortlists": []}
    for url in (f"/smes/{setup.sme_id}", f"/api/v1/smes/{setup.sme_id}", f"/shortlists/{setup.shortlist_id}",
                f"/api/v1/shortlists/{setup.shortlist_id}", f"/api/v1/shortlists/{setup.shortlist_id}/export?format=csv",
                f"/api/v1/matches?sme={setup.sme_id}", f"/matches?sme={setup.sme_id}"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert "Swept Lasers" not in response.text and "OCT partners" not in response.text
    # With a valid token of its own session, another cluster's staff still cannot touch this cluster's list.
    changed = _post(other, f"/shortlists/{setup.shortlist_id}/items/{setup.item_id}", {"action": "remove"})
    added = _post(other, "/shortlists/items",
                  {"kind": "organisation", "organisation_id": "oct-lasers", "shortlist_id": setup.shortlist_id})
    assert changed.status_code == added.status_code == 404
    assert len(setup.staff.get(f"/api/v1/shortlists/{setup.shortlist_id}").get_json()["items"]) == 2
    # What it creates is its own, and litek does not see it.
    assert _post(other, "/shortlists", {"name": "Olga's list"}).status_code == 303
    assert [entry["name"] for entry in setup.staff.get("/api/v1/shortlists").get_json()["shortlists"]] == [
        "OCT partners"]


def test_without_a_login_everything_is_refused(setup):
    anonymous = setup.anonymous
    for url in ("/smes", "/shortlists", f"/shortlists/{setup.shortlist_id}", "/matches"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login?next=" in response.location, url
    for url in ("/api/v1/smes", f"/api/v1/shortlists/{setup.shortlist_id}", "/api/v1/matches?org=oct-systems",
                f"/api/v1/shortlists/{setup.shortlist_id}/export?format=csv", "/api/v1/search/export?q=&format=csv"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert anonymous.post("/shortlists", data={"name": "x"}).status_code == 302
