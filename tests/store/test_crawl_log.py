from tests.store.conftest import fetched_page


def test_fetch_outcomes_new_unchanged_changed_failed_are_counted(store):
    run = store.start_crawl_run(["acme"])
    assert store.record_fetch(run, fetched_page()) == "new"
    assert store.record_fetch(run, fetched_page()) == "unchanged"
    assert store.record_fetch(run, fetched_page(body=b"<p>changed</p>")) == "changed"
    assert store.record_fetch(run, fetched_page(url="http://a.test/missing", http_status=404)) == "failed"
    store.finish_crawl_run(run)
    record = store.crawl_run(run)
    assert (record["fetched"], record["new"], record["unchanged"], record["changed"], record["failed"]) == (4, 1, 1, 1, 1)
    assert record["status"] == "finished" and record["finished_at"]
