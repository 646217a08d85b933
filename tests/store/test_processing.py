import sqlite3

import pytest

from store import ProcessedPage, Tag, TRLRecord
from tests.store.conftest import fetched_page


def test_only_new_or_changed_bodies_are_pending_for_processing(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, fetched_page())
    [pending] = list(store.pending_bodies())
    assert pending.body == b"<p>hello</p>"
    store.save_processed(ProcessedPage(pending.page_id, "Title", "hello", "en", pending.body_hash))
    assert list(store.pending_bodies()) == []
    store.record_fetch(run, fetched_page(body=b"<p>new words</p>"))
    assert [p.body for p in store.pending_bodies()] == [b"<p>new words</p>"]


def test_reprocessing_replaces_old_tags(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, fetched_page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(pending.page_id, "t", "x", "en", pending.body_hash,
                                       tags=(Tag("A20", 0.9, "e", "term"),)))
    store.save_processed(ProcessedPage(pending.page_id, "t", "x", "en", pending.body_hash,
                                       tags=(Tag("A04", 0.5, "e", "term"),)))
    assert [t.application for t in store.page(pending.page_id).tags] == ["A04"]


def test_analysis_failing_at_its_last_write_leaves_the_previous_analysis_whole(store):
    run = store.start_crawl_run(["acme"])
    store.record_fetch(run, fetched_page())
    [pending] = list(store.pending_bodies())
    store.save_processed(ProcessedPage(pending.page_id, "First", "first text", "en", pending.body_hash,
                                       tags=(Tag("A20", 0.9, "e", "term"),), trl=TRLRecord(5, "pilot", 0.5)))
    # The TRL row comes last and breaks the schema's CHECK, after the page and its tags were rewritten.
    with pytest.raises(sqlite3.IntegrityError):
        store.save_processed(ProcessedPage(pending.page_id, "Second", "second text", "en", pending.body_hash,
                                           tags=(Tag("A04", 0.5, "e", "term"),), trl=TRLRecord(10, "bad", 1.0)))
    view = store.page(pending.page_id)
    assert (view.title, view.text) == ("First", "first text")
    assert view.tags == [Tag("A20", 0.9, "e", "term")]
    assert view.trl == TRLRecord(5, "pilot", 0.5)
