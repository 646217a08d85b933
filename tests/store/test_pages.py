from store import ProcessedPage, Tag, TRLRecord
from tests.store.conftest import fetched_page


def test_processed_tags_and_trl_are_read_back_with_the_page(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, fetched_page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(
        pending.page_id, "OCT", "text", "en", pending.body_hash,
        tags=(Tag("A20", 0.9, "An OCT scanner.", "term"),), trl=TRLRecord(9, "FDA 510(k) cleared", 0.9),
    ))
    view = store.page(pending.page_id)
    assert view.organisation == "Acme" and view.country == "US"
    assert view.tags == [Tag("A20", 0.9, "An OCT scanner.", "term")]
    assert view.trl == TRLRecord(9, "FDA 510(k) cleared", 0.9)
