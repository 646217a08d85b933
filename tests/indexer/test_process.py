"""`scout process` fills role, regulatory status and Europe-entry signals, using the registry's type."""

from __future__ import annotations

from indexer.analysis import TextAnalyser
from indexer.process import PageProcessor, process_pending
from store import FetchedPage, Store
from tests.indexer.test_analysis import bag_of_words

PAGE = b"""<html><head><title>Photodynamic therapy clinic</title></head><body><main>
<p>Our clinic offers photodynamic therapy to patients with skin cancer. The PDT laser activates a
photosensitizer in tumour cells. The treatment system received FDA 510(k) clearance.</p>
<p>We are looking for European partners to run a joint study.</p></main></body></html>"""


def test_process_pending_stores_role_regulatory_and_europe_entry(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as store:
        store.upsert_organisations([{"id": "h1", "name": "Pretend Hospital", "country": "KR", "market": "south-korea",
                                     "type": "hospital", "languages": ["en"], "source": "test"}])
        run = store.start_crawl_run(["h1"])
        store.record_fetch(run, FetchedPage(url="http://127.0.0.1/pdt", final_url="http://127.0.0.1/pdt",
                                            organisation_id="h1", http_status=200, content_type="text/html",
                                            body=PAGE, encoding="utf-8"))
        report = process_pending(store, PageProcessor(TextAnalyser(encode=bag_of_words)))
        page = store.page(store.page_id_for_url("http://127.0.0.1/pdt"))
    assert (report.processed, report.tagged, report.failed) == (1, 1, 0)
    assert page.tags[0].application == "A31"
    assert page.role == "end-user" and "clinic" in page.role_evidence
    assert [(r["authority"], r["status"], r["market"]) for r in page.regulatory] == [("FDA", "granted", "US")]
    assert page.europe_entry[0]["signal"] == "seeking-partners"
