import sqlite3

import pytest

from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord


@pytest.fixture()
def store(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as opened:
        opened.upsert_organisations([{"id": "acme", "name": "Acme", "country": "US", "languages": ["en"]}])
        yield opened


def page(url="http://a.test/x", body=b"<p>hello</p>", **changes):
    values = dict(url=url, final_url=url, organisation_id="acme", http_status=200, content_type="text/html",
                  body=body, encoding="utf-8")
    values.update(changes)
    return FetchedPage(**values)


def test_new_store_is_migrated_to_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version >= 1
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    with Store.open(path) as store:  # a second CREATE TABLE would raise
        assert store.schema_version >= 1


def test_fetch_outcomes_new_unchanged_changed_failed_are_counted(store):
    run = store.start_crawl_run(["acme"])
    assert store.record_fetch(run, page()) == "new"
    assert store.record_fetch(run, page()) == "unchanged"
    assert store.record_fetch(run, page(body=b"<p>changed</p>")) == "changed"
    assert store.record_fetch(run, page(url="http://a.test/missing", http_status=404)) == "failed"
    store.finish_crawl_run(run)
    record = store.crawl_run(run)
    assert (record["fetched"], record["new"], record["unchanged"], record["changed"], record["failed"]) == (4, 1, 1, 1, 1)
    assert record["status"] == "finished" and record["finished_at"]


def test_only_new_or_changed_bodies_are_pending_for_processing(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, page())
    [pending] = list(store.pending_bodies())
    assert pending.body == b"<p>hello</p>"
    store.save_processed(ProcessedPage(pending.page_id, "Title", "hello", "en", pending.body_hash))
    assert list(store.pending_bodies()) == []
    store.record_fetch(run, page(body=b"<p>new words</p>"))
    assert [p.body for p in store.pending_bodies()] == [b"<p>new words</p>"]


def test_processed_tags_and_trl_are_read_back_with_the_page(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(
        pending.page_id, "OCT", "text", "en", pending.body_hash,
        tags=(Tag("A20", 0.9, "An OCT scanner.", "term"),), trl=TRLRecord(9, "FDA 510(k) cleared", 0.9),
    ))
    view = store.page(pending.page_id)
    assert view.organisation == "Acme" and view.country == "US"
    assert view.tags == [Tag("A20", 0.9, "An OCT scanner.", "term")]
    assert view.trl == TRLRecord(9, "FDA 510(k) cleared", 0.9)


def test_reprocessing_replaces_old_tags(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(pending.page_id, "t", "x", "en", pending.body_hash,
                                       tags=(Tag("A20", 0.9, "e", "term"),)))
    store.save_processed(ProcessedPage(pending.page_id, "t", "x", "en", pending.body_hash,
                                       tags=(Tag("A04", 0.5, "e", "term"),)))
    assert [t.application for t in store.page(pending.page_id).tags] == ["A04"]


def test_index_bookkeeping_follows_content_hash(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(pending.page_id, "t", "some text", "en", pending.body_hash))
    assert store.page_ids_to_index() == [pending.page_id]
    store.mark_indexed([pending.page_id])
    assert store.page_ids_to_index() == []
    store.forget_index()
    assert store.page_ids_to_index() == [pending.page_id]


def test_failed_transaction_leaves_no_partial_write(store):
    run = store.start_crawl_run(["acme"])
    with pytest.raises(sqlite3.IntegrityError):
        store.save_processed(ProcessedPage(999, "t", "x", "en", "hash", tags=(Tag("A20", 1.0, "e", "term"),)))
    assert store.stats()["tagged_pages"] == 0
    assert store.crawl_run(run)["fetched"] == 0
