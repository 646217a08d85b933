"""`scout process` embeds one batch in a worker thread while it reads the next: same results, in order,
and an error or Ctrl+C leaves only whole batches stored."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pytest

import indexer.analysis.process as process_module
from indexer.analysis.analyser import TextAnalyser
from indexer.analysis.extract import extract
from indexer.analysis.process import PageProcessor, process_pending
from store import FetchedPage, Store

TOPICS = [
    "Optical coherence tomography images the retina of patients; the OCT system received FDA 510(k) clearance.",
    "Our photodynamic therapy laser treats skin cancer and is being tested in a clinical trial with 40 patients.",
    "A fluorescence-guided surgery camera was shown in a laboratory prototype to find tumour margins.",
    "Pulse oximetry sensors measure blood oxygen; the wearable device is CE marked and sold in Europe.",
    "Raman spectroscopy of tissue biopsies distinguishes cancer from healthy tissue in a pilot study.",
]
PAGES = 7


def _page(number: int) -> bytes:
    body = " ".join(TOPICS[(number + k) % len(TOPICS)] for k in range(1 + number % 3))
    return (f"<html><head><title>Page {number}</title></head><body><main><p>{body}</p>"
            f"<p>Page number {number} of the test site.</p></main></body></html>").encode()


class Encoder:
    """A stand-in for MiniLM: a fixed unit vector per text; records the threads it ran on, and can fail."""

    def __init__(self, fail_on_call: int | None = None, error: type[BaseException] = RuntimeError):
        self.calls = 0
        self.threads: set[str] = set()
        self.fail_on_call, self.error = fail_on_call, error

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        if self.calls == self.fail_on_call:
            raise self.error("the embedding model failed")
        vectors = np.array([np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16))
                            .standard_normal(384) for t in texts], dtype=np.float32).reshape(len(texts), 384)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


@pytest.fixture(scope="module")
def tagger():
    from indexer.analysis.tagger import Tagger

    return Tagger.from_taxonomy()


def _analyser(tagger, encoder: Encoder) -> TextAnalyser:
    analyser = TextAnalyser(tagger, encode=encoder)
    analyser.space  # the prototypes, embedded before processing so that calls count batches only
    encoder.calls = 0
    encoder.threads.clear()
    return analyser


def _crawled(store: Store) -> None:
    store.upsert_organisations([{"id": "o1", "name": "Test Optics", "type": "company"}])
    run = store.start_crawl_run(["o1"])
    for number in range(PAGES):
        url = f"http://127.0.0.1/page/{number}"
        store.record_fetch(run, FetchedPage(url=url, final_url=url, organisation_id="o1", http_status=200,
                                            content_type="text/html", body=_page(number), encoding="utf-8"))


def _stored(store: Store) -> list[tuple]:
    pages = [store.page(store.page_id_for_url(f"http://127.0.0.1/page/{n}")) for n in range(PAGES)]
    return [(page.title, page.genre, page.role, tuple(tag.application for tag in page.tags),
             tuple((tag.score, tag.evidence) for tag in page.tags),
             None if page.trl is None else (page.trl.level, page.trl.cue, page.trl.confidence))
            for page in pages]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(process_module, "BATCH_PAGES", 3)  # 7 pages: batches of 3, 3 and 1


def test_pipelined_processing_stores_what_the_serial_analysis_gives_in_order(tmp_path, tagger, small_batches):
    encoder = Encoder()
    with Store.open(tmp_path / "scout.sqlite3") as store:
        _crawled(store)
        report = process_pending(store, PageProcessor(_analyser(tagger, encoder)))
        stored = _stored(store)
    assert report.processed == PAGES
    assert encoder.calls == 3 and threading.current_thread().name not in encoder.threads  # embedded by the worker

    serial = _analyser(tagger, Encoder())
    expected = []
    for start in range(0, PAGES, 3):
        extracted = [extract(_page(n), "text/html", "utf-8", f"http://127.0.0.1/page/{n}")
                     for n in range(start, min(start + 3, PAGES))]
        texts = [f"{page.title}\n\n{page.text}" for page in extracted]
        expected += [(page.title, analysis.genre, analysis.role.role if analysis.role else None,
                      tuple(tag.application for tag in analysis.applications),
                      tuple((tag.score, tag.evidence) for tag in analysis.applications),
                      None if analysis.trl is None else (analysis.trl.level, analysis.trl.cue, analysis.trl.confidence))
                     for page, analysis in zip(extracted, serial.analyse_many(texts))]
    assert stored == expected
    assert len({titles for titles, *_ in stored}) == PAGES


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failure_in_the_embedding_worker_surfaces_and_leaves_only_whole_batches_stored(
        tmp_path, tagger, small_batches, error):
    with Store.open(tmp_path / "scout.sqlite3") as store:
        _crawled(store)
        with pytest.raises(error, match="embedding model failed"):
            process_pending(store, PageProcessor(_analyser(tagger, Encoder(fail_on_call=2, error=error))))
        pending = [body.url for body in store.pending_bodies()]
        assert pending == [f"http://127.0.0.1/page/{n}" for n in range(3, PAGES)]  # the first batch, whole

        report = process_pending(store, PageProcessor(_analyser(tagger, Encoder())))  # the next run finishes
        assert report.processed == PAGES - 3 and list(store.pending_bodies()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("scout-embed")]


def test_ctrl_c_while_reading_the_next_batch_stops_without_a_half_stored_batch(tmp_path, tagger, small_batches,
                                                                               monkeypatch):
    detected = []

    def interrupted_on_the_second_batch(text: str):
        detected.append(text)
        if len(detected) == 4:
            raise KeyboardInterrupt
        return "en"

    monkeypatch.setattr(process_module, "detect_language", interrupted_on_the_second_batch)
    with Store.open(tmp_path / "scout.sqlite3") as store:
        _crawled(store)
        with pytest.raises(KeyboardInterrupt):
            process_pending(store, PageProcessor(_analyser(tagger, Encoder())))
        assert len(list(store.pending_bodies())) == PAGES  # batch 1 was embedded but not yet stored: still pending
    assert not [t for t in threading.enumerate() if t.name.startswith("scout-embed")]
