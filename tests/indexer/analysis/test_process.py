"""`scout process` fills role, regulatory status and Europe-entry signals, using the registry's type."""

from __future__ import annotations

from indexer.analysis.process import PageProcessor, process_pending
from store import FetchedPage, Store

PAGE = b"""<html><head><title>Photodynamic therapy clinic</title></head><body><main>
<p>Our clinic offers photodynamic therapy to patients with skin cancer. The PDT laser activates a
photosensitizer in tumour cells. The treatment system received FDA 510(k) clearance.</p>
<p>We are looking for European partners to run a joint study.</p></main></body></html>"""


def test_process_pending_stores_role_regulatory_and_europe_entry(tmp_path, minilm_analyser):
    with Store.open(tmp_path / "scout.sqlite3") as store:
        store.upsert_organisations([{"id": "h1", "name": "Pretend Hospital", "country": "KR", "market": "south-korea",
                                     "type": "hospital", "languages": ["en"], "source": "test"}])
        _fetch(store, store.start_crawl_run(["h1"]), PAGE)
        report = process_pending(store, PageProcessor(minilm_analyser))
        page = store.page(store.page_id_for_url("http://127.0.0.1/pdt"))
    assert (report.processed, report.tagged, report.failed) == (1, 1, 0)
    assert page.tags[0].application == "A31"
    assert page.role == "end-user" and "clinic" in page.role_evidence
    assert [(r["authority"], r["status"], r["market"]) for r in page.regulatory] == [("FDA", "granted", "US")]
    assert page.europe_entry[0]["signal"] == "seeking-partners"


def _fetch(store, run, body):
    return store.record_fetch(run, FetchedPage(url="http://127.0.0.1/pdt", final_url="http://127.0.0.1/pdt",
                                               organisation_id="h1", http_status=200, content_type="text/html",
                                               body=body, encoding="utf-8"))


def _processed_once(store, processor) -> int:
    """The hospital's page fetched and processed once; its page id."""
    store.upsert_organisations([{"id": "h1", "name": "Pretend Hospital", "type": "hospital"}])
    _fetch(store, store.start_crawl_run(["h1"]), PAGE)
    process_pending(store, processor)
    return store.page_id_for_url("http://127.0.0.1/pdt")


def test_boilerplate_only_change_is_not_analysed_again_nor_counted_as_changed(tmp_path, minilm_analyser):
    processor = PageProcessor(minilm_analyser)
    with Store.open(tmp_path / "scout.sqlite3") as store:
        page_id = _processed_once(store, processor)
        first = store.page(page_id)

        second_run = store.start_crawl_run(["h1"])
        boilerplate = PAGE.replace(b"<body>", b"<body><nav><a href='/new-menu'>New menu</a></nav>")
        assert _fetch(store, second_run, boilerplate) == "changed"  # the raw body did change
        report = process_pending(store, processor)
        assert (report.boilerplate_only, report.processed) == (1, 0)
        run = store.crawl_run(second_run)
        assert (run["changed"], run["unchanged"]) == (0, 1)
        assert store.organisation_run_counts(second_run)["h1"]["unchanged"] == 1
        after = store.page(page_id)
        assert after.last_changed_at == first.last_changed_at and after.tags == first.tags
        assert list(store.pending_bodies()) == []


def test_a_real_text_change_is_analysed_and_dated(tmp_path, minilm_analyser):
    processor = PageProcessor(minilm_analyser)
    with Store.open(tmp_path / "scout.sqlite3") as store:
        page_id = _processed_once(store, processor)
        store._db.execute("UPDATE pages SET last_changed_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", (page_id,))
        _fetch(store, store.start_crawl_run(["h1"]), PAGE.replace(b"skin cancer", b"actinic keratosis"))
        report = process_pending(store, processor)
        assert report.processed == 1 and report.boilerplate_only == 0
        assert store.page(page_id).last_changed_at > "2020-01-01T00:00:00+00:00"


def test_ad_hoc_site_pages_take_organisation_and_country_from_their_text(tmp_path, minilm_analyser):
    contact = (b"<html><body><main><h1>Contact</h1><p>Photonova Optics Inc. designs laser diode modules for "
               b"medical OEMs.</p><p>Photonova Optics Inc., 12 Harbor Street, Boston, MA 02110, USA</p>"
               b"</main></body></html>")
    with Store.open(tmp_path / "scout.sqlite3") as store:
        store.upsert_organisations([{"id": "site-127-0-0-1", "name": "127.0.0.1", "country": "", "type": ""}])
        run = store.start_crawl_run(["site-127-0-0-1"])
        store.record_fetch(run, FetchedPage(url="http://127.0.0.1/contact", final_url="http://127.0.0.1/contact",
                                            organisation_id="site-127-0-0-1", http_status=200,
                                            content_type="text/html", body=contact, encoding="utf-8"))
        process_pending(store, PageProcessor(minilm_analyser))
        page = store.page(store.page_id_for_url("http://127.0.0.1/contact"))
    assert page.country == "US"
    assert "Photonova" in page.organisation


def test_pages_made_by_an_older_analysis_are_analysed_again_and_reindexed(tmp_path, monkeypatch, minilm_analyser):
    processor = PageProcessor(minilm_analyser)
    with Store.open(tmp_path / "scout.sqlite3") as store:
        store.upsert_organisations([{"id": "h1", "name": "Pretend Hospital", "type": "hospital"}])
        _fetch(store, store.start_crawl_run(["h1"]), PAGE)
        monkeypatch.setattr("indexer.analysis.process.analysis_version", lambda: "old-taxonomy")
        process_pending(store, processor)
        page_id = store.page_id_for_url("http://127.0.0.1/pdt")
        store.mark_indexed([page_id])
        assert process_pending(store, processor).processed == 0  # nothing changed: nothing to do
        assert store.page_ids_to_index() == []

        monkeypatch.setattr("indexer.analysis.process.analysis_version", lambda: "edited-taxonomy")
        report = process_pending(store, processor)
        page = store.page(page_id)
    assert (report.processed, report.reanalysed, report.boilerplate_only) == (1, 1, 0)
    assert page.analysis_version == "edited-taxonomy" and page.tags[0].application == "A31"
    assert page.genre is not None
    assert store_page_ids_to_index(tmp_path) == [page_id]  # the index follows the new analysis


def store_page_ids_to_index(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as store:
        return store.page_ids_to_index()


def test_reanalyse_analyses_every_page_again_whatever_version_made_it(tmp_path, minilm_analyser):
    processor = PageProcessor(minilm_analyser)
    with Store.open(tmp_path / "scout.sqlite3") as store:
        page_id = _processed_once(store, processor)
        store.mark_indexed([page_id])
        assert process_pending(store, processor).processed == 0  # same version, same body: nothing to do

        report = process_pending(store, processor, reanalyse=True)
    assert (report.processed, report.reanalysed, report.boilerplate_only) == (1, 1, 0)
    assert store_page_ids_to_index(tmp_path) == [page_id]
