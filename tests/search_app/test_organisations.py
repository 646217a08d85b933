"""Organisation profiles: the service's consensus rules, /org/<id>, /api/v1/organisations[/<id>], and links to them."""

from __future__ import annotations

import pytest

from search_app.organisations import (
    application_evidence, best_trl, consensus_role, organisation_profile, regulatory_status,
)
from store import FetchedPage, PageView, ProcessedPage, Store, Tag, TRLRecord, sha256_hex

from .search_app_fixtures import ORGANISATIONS, RETINA, SCRIPT_PAYLOAD, SURGERY


def _page(page_id: int, role=None, genre=None, tags=(), trl=None, regulatory=(), role_evidence=None) -> PageView:
    return PageView(
        id=page_id, url=f"https://x.example/{page_id}", final_url=f"https://x.example/{page_id}", title=f"P{page_id}",
        text="", language="en", fetched_at="2024-05-01T00:00:00+00:00", first_seen_at="2024-05-01T00:00:00+00:00",
        last_changed_at="2024-05-01T00:00:00+00:00", http_status=200, content_type="text/html", content_hash="h",
        organisation_id="x", organisation="X", country="US", organisation_type="company", market="usa",
        tags=list(tags), trl=trl, role=role, role_evidence=role_evidence or (f"says {role}" if role else None),
        regulatory=list(regulatory), genre=genre,
    )


def test_consensus_role_is_the_weighted_majority_with_its_split():
    pages = ([_page(i, "component-supplier", "product") for i in range(8)]
             + [_page(10 + i, "system-supplier", "product") for i in range(3)] + [_page(20)])
    role = consensus_role(pages)
    assert role.role == "component-supplier" and role.label == "Component supplier"
    assert [(share.role, share.pages) for share in role.split] == [("component-supplier", 8), ("system-supplier", 3)]
    assert role.split[0].share == pytest.approx(8 / 11)
    assert role.evidence == "says component-supplier"


def test_pages_about_others_count_half_towards_the_role():
    pages = [_page(1, "end-user", "news"), _page(2, "end-user", "event"), _page(3, "research", "about")]
    # Two news/event pages (0.5 each) tie one about page (1.0); more pages win the tie.
    assert consensus_role(pages).role == "end-user"
    pages.append(_page(4, "end-user", "directory"))
    pages.append(_page(5, "research", "product"))
    assert consensus_role(pages).role == "research"
    assert consensus_role([_page(1)]) is None


def test_regulatory_status_keeps_the_strongest_per_authority_and_market():
    fda = lambda status, text: {"authority": "FDA", "status": status, "market": "US", "evidence": text}  # noqa: E731
    pages = [
        _page(1, regulatory=[fda("planned", "We plan to file."), {"authority": "CE", "status": "negated",
                                                                  "market": "EU", "evidence": "Not CE marked."}]),
        _page(2, regulatory=[fda("granted", "FDA cleared in 2022.")]),
        _page(3, regulatory=[fda("pending", "510(k) submitted.")]),
    ]
    statuses = {(s.authority, s.market): (s.status, s.evidence, s.page_id) for s in regulatory_status(pages)}
    assert statuses == {("FDA", "US"): ("granted", "FDA cleared in 2022.", 2),
                        ("CE", "EU"): ("negated", "Not CE marked.", 1)}


def test_applications_count_pages_and_keep_the_best_evidence_and_the_highest_trl():
    pages = [
        _page(1, tags=[Tag("A20", 0.4, "weak", "keyword"), Tag("A04", 0.9, "eye", "keyword")],
              trl=TRLRecord(7, "in clinics", 0.25)),
        _page(2, tags=[Tag("A20", 0.8, "strong OCT sentence", "keyword")], trl=TRLRecord(7, "sold", 0.95)),
        _page(3, tags=[Tag("A12", 0.99, "a directory lists endoscopes", "keyword", mention=True)],
              trl=TRLRecord(4, "lab", 0.99)),
    ]
    apps = application_evidence(pages)
    assert [(a.application, a.pages, a.best.evidence, a.page_id) for a in apps] == [
        ("A20", 2, "strong OCT sentence", 2), ("A04", 1, "eye", 1)]
    best = best_trl(pages)
    assert (best.record.level, best.record.confidence, best.page_id) == (7, 0.95, 2)
    assert best_trl([_page(9)]) is None


EARLIER = "2024-01-01T00:00:00+00:00"


def _add_changed_page(settings):
    """A second crawl of Acme that finds one new page: it is what changed in Acme's last crawl."""
    with Store.open(settings.database_path) as store:
        # Timestamps have whole seconds: date the first crawl a day earlier, or both crawls may share one second.
        with store.transaction() as db:
            db.execute("UPDATE pages SET first_seen_at = ?, last_changed_at = ?, fetched_at = ?", (EARLIER,) * 3)
            db.execute("UPDATE crawl_runs SET started_at = ?, finished_at = ?", (EARLIER,) * 2)
        run_id = store.start_crawl_run(["acme-retina"])
        body = b"<html><title>FDA news</title><body>news</body></html>"
        store.record_fetch(run_id, FetchedPage(url="https://acme.example/news", final_url="https://acme.example/news",
                                               organisation_id="acme-retina", http_status=200,
                                               content_type="text/html", body=body, encoding="utf-8"))
        page_id = store.page_id_for_url("https://acme.example/news")
        store.save_processed(ProcessedPage(
            page_id=page_id, title=f"FDA news {SCRIPT_PAYLOAD}", text="Our OCT camera is FDA cleared.",
            language="en", body_hash=sha256_hex(body), role="system-supplier", role_evidence="Our OCT camera.",
            regulatory=({"authority": "FDA", "status": "granted", "market": "US",
                         "evidence": "Our OCT camera is FDA cleared."},), genre="product"))
        store.finish_crawl_run(run_id)
    return page_id


def test_profile_gathers_pages_applications_trl_role_regulatory_and_last_changes(settings, page_ids):
    news_id = _add_changed_page(settings)
    profile = organisation_profile(settings, "acme-retina")
    assert profile.name == "Acme Retina Imaging" and profile.country == "US" and profile.market == "usa"
    assert {page.id for page in profile.pages} == {page_ids[RETINA.url], news_id}
    assert [(a.application, a.pages) for a in profile.applications] == [("A20", 1)]
    assert profile.trl.record.level == 9 and profile.trl.page_id == page_ids[RETINA.url]
    assert profile.role.role == "system-supplier"
    assert [(s.authority, s.status) for s in profile.regulatory] == [("FDA", "granted")]
    assert [(page.id, kind) for page, kind in profile.changes] == [(news_id, "new")]
    assert profile.coverage["pages"] == 2 and profile.first_seen_at and profile.last_changed_at
    assert organisation_profile(settings, "no-such-org") is None


def test_profile_page_shows_everything_escaped_and_keeps_the_search(client, settings, page_ids):
    news_id = _add_changed_page(settings)
    response = client.get("/org/acme-retina?q=retinopathy&app=A20&sort=trl")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<h1>Acme Retina Imaging</h1>" in body
    assert 'href="/?q=retinopathy&amp;app=A20&amp;sort=trl">← Search</a>' in body
    assert f'href="/page/{page_ids[RETINA.url]}?q=retinopathy&amp;app=A20&amp;sort=trl"' in body
    assert RETINA.tags[0].evidence in body and RETINA.trl.cue in body
    assert "System supplier / integrator" in body and "Our OCT camera." in body
    assert "FDA" in body and "granted" in body and "United States" in body
    assert f'/page/{news_id}' in body and "change-new" in body
    assert SCRIPT_PAYLOAD not in body and "&lt;script&gt;" in body
    assert "<script" not in body


def test_unknown_organisation_is_a_404_page_and_json(client):
    response = client.get("/org/no-such-org")
    assert response.status_code == 404 and "no-such-org" in response.get_data(as_text=True)
    response = client.get("/api/v1/organisations/no-such-org")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_profile_page_rejects_bad_parameters(client):
    assert client.get("/org/acme-retina?sort=nonsense").status_code == 400
    response = client.get("/api/v1/organisations/acme-retina?x=1")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "x"


def test_profile_json_has_the_documented_shape(client, settings, page_ids):
    _add_changed_page(settings)
    payload = client.get("/api/v1/organisations/acme-retina").get_json()
    assert {"id", "name", "country", "type", "market", "website", "pages", "status", "first_seen_at",
            "last_changed_at", "applications", "trl", "role", "regulatory", "coverage", "last_crawl",
            "crawled_pages"} <= set(payload)
    assert payload["pages"] == 2 and len(payload["crawled_pages"]) == 2
    assert payload["trl"]["level"] == 9 and payload["trl"]["page_id"] == page_ids[RETINA.url]
    assert payload["role"]["split"] == [{"role": "system-supplier", "label": "System supplier / integrator",
                                         "pages": 1, "share": 1.0}]
    assert payload["regulatory"][0]["status"] == "granted"
    assert payload["last_crawl"]["changes"][0]["change"] == "new"
    assert payload["last_changed_at"].endswith("+00:00")


def test_organisation_list_filters_by_market_country_and_type(client, page_ids):
    everything = client.get("/api/v1/organisations").get_json()
    ids = {org["id"] for org in everything["organisations"]}
    assert {org["id"] for org in ORGANISATIONS} <= ids and everything["total"] == len(ids)
    europe = client.get("/api/v1/organisations?market=europe&type=research-institute").get_json()
    assert [org["id"] for org in europe["organisations"]] == ["isar-photonics"]
    assert [org["id"] for org in client.get("/api/v1/organisations?country=us").get_json()["organisations"]
            if org["id"] in {"acme-retina", "isar-photonics"}] == ["acme-retina"]
    for bad in ("market=mars", "country=XX", "type=pirate", "colour=red"):
        response = client.get(f"/api/v1/organisations?{bad}")
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == bad.split("=")[0]


def test_names_link_to_profiles_from_results_detail_and_coverage(client, page_ids):
    results = client.get("/?q=retinopathy").get_data(as_text=True)
    assert 'href="/org/acme-retina?q=retinopathy">Acme Retina Imaging</a>' in results
    detail = client.get(f"/page/{page_ids[SURGERY.url]}?q=laser").get_data(as_text=True)
    assert 'href="/org/isar-photonics?q=laser">Isar Photonics Institute</a>' in detail
    assert 'href="/?q=laser">← Search</a>' in detail
    coverage = client.get("/coverage").get_data(as_text=True)
    assert 'href="/org/isar-photonics">Isar Photonics Institute</a>' in coverage
