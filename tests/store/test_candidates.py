"""Candidates in the store: saved with their listings, decisions kept across discoveries."""

from __future__ import annotations

from store import Candidate, CandidateListing

from .conftest import fetched_page


def listed(store, url="http://a.test/members"):
    run_id = store.start_crawl_run(["acme"])
    store.record_fetch(run_id, fetched_page(url, body=b"<ul><li>x</li></ul>"))
    return store.page_id_for_url(url)


def candidate(page_id, **changes):
    values = dict(id="lumen", name="Lumen Optics", name_key="lumen optics", website="https://lumen.example/",
                  domain="lumen.example", country="GB", applications=["A20"],
                  listings=[CandidateListing(page_id, "", "acme", "Lumen", "Lumen Optics, OCT", "OCT")])
    values.update(changes)
    return Candidate(**values)


def test_the_schema_has_candidates_and_page_dates(store):
    assert store.schema_version >= 9
    columns = {row[1] for row in store._db.execute("PRAGMA table_info(pages)")}
    assert {"published_date", "modified_date"} <= columns


def test_a_saved_candidate_comes_back_with_its_listings(store):
    page_id = listed(store)
    store.save_candidates([candidate(page_id)])
    [found] = store.candidates()
    assert (found.id, found.status, found.applications, found.country) == ("lumen", "proposed", ["A20"], "GB")
    assert [(listing.url, listing.listed_by, listing.entry_text) for listing in found.listings] == [
        ("http://a.test/members", "acme", "Lumen Optics, OCT")]
    assert store.candidate("lumen").listings == found.listings
    assert store.candidate("nobody") is None


def test_a_decision_survives_the_next_discovery(store):
    page_id = listed(store)
    store.save_candidates([candidate(page_id)])
    store.decide_candidate("lumen", "rejected")
    store.save_candidates([candidate(page_id, name="Lumen Optics Ltd")])
    assert store.candidates(["proposed"]) == []
    [rejected] = store.candidates(["rejected"])
    assert rejected.name == "Lumen Optics Ltd" and rejected.decided_at


def test_listing_bodies_are_the_current_html_pages(store):
    run_id = store.start_crawl_run(["acme"])
    store.record_fetch(run_id, fetched_page("http://a.test/a", body=b"<p>a</p>"))
    store.record_fetch(run_id, fetched_page("http://a.test/b.pdf", body=b"%PDF-1.4", content_type="application/pdf"))
    assert [body.url for body in store.listing_bodies()] == ["http://a.test/a"]
