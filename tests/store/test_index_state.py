from store import ProcessedPage
from tests.store.conftest import fetched_page


def test_index_bookkeeping_follows_content_hash(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, fetched_page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(pending.page_id, "t", "some text", "en", pending.body_hash))
    assert store.page_ids_to_index() == [pending.page_id]
    store.mark_indexed([pending.page_id])
    assert store.page_ids_to_index() == []
    store.forget_index()
    assert store.page_ids_to_index() == [pending.page_id]
