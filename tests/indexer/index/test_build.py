"""Building the search index from the store: incremental runs, rebuilds swapped in atomically, and kills midway.

Unit tests of the build mechanics embed with a deterministic fake (a hash of the text), not the model; one test
uses the real model on a handful of pages.
"""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from indexer.analysis.embedding_model import DIMENSIONS
from indexer.index import build
from indexer.index.build import build_index, indexed_page, indexed_page_count
from retrieval.engine import open_engine
from retrieval.layout import CURRENT_FILE, current_index
from retrieval.query import Word
from retrieval.vectors import VectorStore
from scout.settings import load_settings
from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord, sha256_hex
from tests.conftest import REPO_ROOT, scout_env

ORGANISATIONS = [
    {"id": "acme", "name": "Acme Retina", "country": "US", "market": "usa", "type": "company",
     "website": "https://acme.example/", "source": "test"},
    {"id": "isar", "name": "Isar Photonics", "country": "DE", "market": "europe", "type": "research-institute",
     "website": "https://isar.example/", "source": "test"},
]
TOPICS = ["retina", "laser", "photoacoustic", "endoscope", "oximetry", "fluorescence"]


def fake_embed(texts: list[str]) -> np.ndarray:
    """Unit vectors that depend only on the text, so runs are repeatable without the model."""
    rows = [np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little"))
            .standard_normal(DIMENSIONS) for t in texts]
    vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), DIMENSIONS)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setattr(build, "embed", fake_embed)


@pytest.fixture
def settings(tmp_path):
    settings = load_settings(tmp_path / "data", environ={})
    settings.data_dir.mkdir(parents=True)
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
    return settings


def add_pages(settings, count: int, start: int = 0, words: str = "") -> list[int]:
    """`count` fetched and processed pages (as crawl + process would leave them); returns their ids."""
    ids = []
    with Store.open(settings.database_path) as store:
        run = store.start_crawl_run([org["id"] for org in ORGANISATIONS])
        for number in range(start, start + count):
            topic = TOPICS[number % len(TOPICS)]
            org = ORGANISATIONS[number % 2]["id"]
            url = f"https://{org}.example/page-{number}"
            text = f"Page {number} is about {topic} imaging {words}. " * 20
            body = f"<html><body>{text}</body></html>".encode()
            store.record_fetch(run, FetchedPage(url, url, org, 200, "text/html", body, encoding="utf-8"))
            page_id = store.page_id_for_url(url)
            store.save_processed(ProcessedPage(
                page_id, f"{topic.title()} page {number}", text, "en", sha256_hex(body),
                tags=(Tag("A20", 0.9, "optical coherence tomography", "term"),) if topic == "retina" else (),
                trl=TRLRecord(7, "pilot", 0.5) if number % 3 == 0 else None))
            ids.append(page_id)
        store.finish_crawl_run(run)
    return ids


def index(settings, **options) -> int:
    with Store.open(settings.database_path) as store:
        return build_index(store, settings.index_dir, options.pop("backend", "whoosh"), **options)


def engine_count(index_dir: Path, query=None) -> int:
    current = current_index(index_dir)
    engine = open_engine(current.backend, current.engine_dir)
    try:
        return engine.count(query)
    finally:
        engine.close()


def engine_ids(index_dir: Path, query=None) -> frozenset[int]:
    current = current_index(index_dir)
    engine = open_engine(current.backend, current.engine_dir)
    try:
        return engine.matching_ids(query)
    finally:
        engine.close()


def vector_page_ids(index_dir: Path) -> set[int]:
    return set(VectorStore(current_index(index_dir).vectors_dir).page_ids().tolist())


def marked_indexed(settings) -> int:
    # Read straight from the file, as another process sees it, without the store's migrations.
    with sqlite3.connect(f"file:{settings.database_path}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM pages WHERE indexed_at IS NOT NULL").fetchone()[0]


def test_a_stored_page_becomes_what_the_engine_indexes(settings):
    [page_id] = add_pages(settings, 1)  # page 0: a retina page of acme with TRL 7
    with Store.open(settings.database_path) as store:
        page = store.page(page_id)
    indexed = indexed_page(page)
    assert (indexed.page_id, indexed.url, indexed.title) == (page_id, "https://acme.example/page-0", "Retina page 0")
    assert (indexed.organisation, indexed.organisation_id, indexed.country, indexed.market,
            indexed.organisation_type) == ("Acme Retina", "acme", "US", "usa", "company")
    assert indexed.applications == ("A20",) and indexed.areas == ("diagnostics_imaging",)
    assert "coherence" in indexed.application_names.lower()
    assert (indexed.trl, indexed.language) == (7, "en")
    assert isinstance(indexed.fetched_at, datetime) and indexed.fetched_at.tzinfo is None
    assert indexed.last_changed_at.tzinfo is None
    assert abs((datetime.utcnow() - indexed.fetched_at).total_seconds()) < 600  # UTC, not local time
    assert indexed.published is None


def test_published_dates_become_dates():
    assert build._date("2026-03-01T10:00:00+00:00") == date(2026, 3, 1)
    assert build._naive_utc("2026-03-01T10:00:00+02:00") == datetime(2026, 3, 1, 8, 0)


def test_the_first_run_builds_generation_one_with_engine_and_vectors(settings):
    ids = add_pages(settings, 7)
    assert index(settings, batch_pages=3) == 7
    current = current_index(settings.index_dir)
    assert (current.generation, current.backend) == ("gen-000001", "whoosh")
    assert engine_ids(settings.index_dir) == frozenset(ids)
    assert vector_page_ids(settings.index_dir) == set(ids)
    assert indexed_page_count(settings.index_dir) == 7
    assert marked_indexed(settings) == 7
    assert index(settings) == 0  # nothing changed since


def test_incremental_runs_add_change_and_remove_pages_in_place(settings):
    ids = add_pages(settings, 6)
    index(settings)
    new = add_pages(settings, 2, start=6)
    with Store.open(settings.database_path) as store:
        changed = store.page(ids[1])
        store.save_processed(ProcessedPage(ids[1], changed.title, "Now about quasicrystal spectroscopy.", "en",
                                           sha256_hex(b"x")))
        store.set_duplicates({ids[2]: ids[0]})  # page 2 turns out to duplicate page 0: it leaves the index
    assert index(settings, batch_pages=1) == 3
    assert current_index(settings.index_dir).generation == "gen-000001"  # updated in place
    expected = frozenset(ids + new) - {ids[2]}
    assert engine_ids(settings.index_dir) == expected
    assert engine_ids(settings.index_dir, Word("quasicrystal")) == {ids[1]}
    assert vector_page_ids(settings.index_dir) == expected
    spans = VectorStore(current_index(settings.index_dir).vectors_dir)
    hit = spans.nearest(fake_embed(["Laser page 1\nNow about quasicrystal spectroscopy."])[0], 1)[0]
    assert (hit.page_id, hit.similarity) == (ids[1], pytest.approx(1.0, abs=1e-5))  # embedded afresh


def test_a_rebuild_is_built_aside_while_the_old_generation_answers_then_swapped_in(settings, monkeypatch):
    ids = add_pages(settings, 9)
    index(settings)
    old = current_index(settings.index_dir)
    reader = open_engine(old.backend, old.engine_dir)
    seen_during_build = []
    write = build._write

    def watched_write(store, batch, engine, vectors):
        write(store, batch, engine, vectors)
        seen_during_build.append((current_index(settings.index_dir).generation, reader.count(None),
                                  engine_count(settings.index_dir)))

    monkeypatch.setattr(build, "_write", watched_write)
    assert index(settings, rebuild=True, batch_pages=4) == 9
    reader.close()
    assert seen_during_build == [("gen-000001", 9, 9)] * 3
    new = current_index(settings.index_dir)
    assert new.generation == "gen-000002"
    assert engine_ids(settings.index_dir) == frozenset(ids)
    assert vector_page_ids(settings.index_dir) == set(ids)
    assert sorted(p.name for p in settings.index_dir.iterdir()) == [CURRENT_FILE, "gen-000002"]


def test_a_rebuild_without_embeddings_keeps_the_vectors_of_pages_still_there(settings):
    ids = add_pages(settings, 5)
    index(settings)
    with Store.open(settings.database_path) as store:
        store.set_duplicates({ids[4]: ids[0]})
    assert index(settings, rebuild=True, embeddings=False) == 4
    assert vector_page_ids(settings.index_dir) == set(ids[:4])


def test_an_index_without_embeddings_has_an_empty_vector_store(settings):
    add_pages(settings, 3)
    index(settings, embeddings=False)
    assert engine_count(settings.index_dir) == 3
    assert VectorStore(current_index(settings.index_dir).vectors_dir).pages() == 0


def test_an_index_from_an_older_scout_is_rebuilt_and_its_files_removed(settings):
    add_pages(settings, 3)
    settings.index_dir.mkdir()
    for name in ("_MAIN_4.toc", "MAIN_abc.seg", "embeddings.npz"):
        (settings.index_dir / name).write_bytes(b"old")
    with Store.open(settings.database_path) as store:
        store.mark_indexed(store.page_ids_to_index())  # the old index claimed them all
    assert index(settings) == 3
    assert engine_count(settings.index_dir) == 3
    assert sorted(p.name for p in settings.index_dir.iterdir()) == [CURRENT_FILE, "gen-000001"]


def test_debris_of_killed_rebuilds_is_removed_by_the_next_run(settings):
    add_pages(settings, 3)
    index(settings)
    (settings.index_dir / "gen-000002.building" / "engine").mkdir(parents=True)
    (settings.index_dir / "gen-000003").mkdir()  # renamed, but killed before CURRENT named it
    assert index(settings) == 0
    assert sorted(p.name for p in settings.index_dir.iterdir()) == [CURRENT_FILE, "gen-000001"]


def test_changing_the_backend_setting_rebuilds_with_the_new_engine(settings, caplog):
    pytest.importorskip("retrieval.tantivy_engine")
    from scout import pipeline

    ids = add_pages(settings, 4)
    assert pipeline.index(settings, embeddings=False) == 4
    caplog.set_level("INFO", logger="indexer.index.build")
    assert pipeline.index(settings.replace(search_backend="tantivy"), embeddings=False) == 4
    current = current_index(settings.index_dir)
    assert (current.backend, current.generation) == ("tantivy", "gen-000002")
    assert engine_ids(settings.index_dir) == frozenset(ids)
    assert "built with whoosh and the search_backend setting is now tantivy" in caplog.text


# Killed runs and concurrent readers, with `scout index` in a child process.

def scout_index(settings, *args: str) -> list[str]:
    """`scout index` in small batches, without the model (its load would dwarf the run)."""
    return [sys.executable, "-m", "scout.cli", "index", "--data-dir", str(settings.data_dir), "--no-embeddings",
            "--batch-pages", "5", *args]


def start_scout_index(settings, *args: str) -> subprocess.Popen:
    return subprocess.Popen(scout_index(settings, *args), env=scout_env(), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run_scout_index(settings, *args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(scout_index(settings, *args), env=scout_env(), cwd=REPO_ROOT, capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return completed


def wait_until(condition, child: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert child.poll() is None, f"scout index ended before the test could act: {child.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


def test_a_run_killed_midway_leaves_a_usable_index_that_the_next_run_completes(settings):
    add_pages(settings, 5)
    index(settings, embeddings=False)
    add_pages(settings, 150, start=5)
    child = start_scout_index(settings)
    wait_until(lambda: marked_indexed(settings) >= 10, child)  # the first batch of the new pages is marked
    kill(child)
    marked = marked_indexed(settings)
    assert 10 <= marked < 155, "killed too late to test anything"
    assert engine_count(settings.index_dir) >= marked  # every marked batch is searchable
    assert engine_count(settings.index_dir, Word("retina")) > 0
    completed = run_scout_index(settings)
    assert f"indexed {155 - marked} pages" in completed.stdout  # only what the killed run had not marked
    assert "(backend whoosh, generation 1)" in completed.stdout
    assert engine_count(settings.index_dir) == len(engine_ids(settings.index_dir)) == 155  # no duplicates
    assert marked_indexed(settings) == 155


def test_a_killed_rebuild_leaves_the_old_index_answering_and_the_next_rebuild_completes(settings):
    ids = add_pages(settings, 150)
    index(settings, embeddings=False)
    child = start_scout_index(settings, "--rebuild")
    building = settings.index_dir / "gen-000002.building" / "engine"
    wait_until(lambda: building.is_dir() and len(list(building.iterdir())) > 1, child)
    kill(child)
    assert current_index(settings.index_dir).generation == "gen-000001"
    assert engine_ids(settings.index_dir) == frozenset(ids)
    completed = run_scout_index(settings, "--rebuild")
    assert "indexed 150 pages" in completed.stdout and "generation 2)" in completed.stdout
    assert engine_ids(settings.index_dir) == frozenset(ids)
    assert sorted(p.name for p in settings.index_dir.iterdir()) == [CURRENT_FILE, "gen-000002"]


def searched_while(child: subprocess.Popen, settings) -> list[tuple[str, int, int]]:
    """(generation, pages, retina pages) from searches repeated until the child exits; none may fail."""
    seen = []
    while child.poll() is None:
        try:
            seen.append((current_index(settings.index_dir).generation, engine_count(settings.index_dir),
                         engine_count(settings.index_dir, Word("retina"))))
        except Exception:
            # The writer removes the generation it replaced; a reader then reads CURRENT again, once.
            seen.append((current_index(settings.index_dir).generation, engine_count(settings.index_dir),
                         engine_count(settings.index_dir, Word("retina"))))
    assert child.returncode == 0, child.communicate()
    return seen


def test_searches_keep_answering_while_another_process_indexes(settings):
    add_pages(settings, 6)
    index(settings, embeddings=False)
    add_pages(settings, 120, start=6)
    seen = searched_while(start_scout_index(settings), settings)
    assert len(seen) > 3
    counts = [pages for _, pages, _ in seen]
    assert counts == sorted(counts) and counts[0] >= 6  # pages only ever arrive
    assert engine_count(settings.index_dir) == 126


def test_searches_keep_answering_while_another_process_rebuilds(settings):
    add_pages(settings, 120)
    index(settings, embeddings=False)
    seen = searched_while(start_scout_index(settings, "--rebuild"), settings)
    assert len(seen) > 3
    # 60: "retina" is in the title of every sixth page and the organisation of every second.
    assert {(pages, retina) for _, pages, retina in seen} == {(120, 60)}  # the same answers throughout
    assert current_index(settings.index_dir).generation == "gen-000002"


def test_the_real_model_embeds_passages_that_find_their_page(settings, monkeypatch):
    from indexer.analysis import embedding_model

    monkeypatch.setattr(build, "embed", embedding_model.embed)
    ids = add_pages(settings, 3)  # retina, laser and photoacoustic pages
    index(settings)
    vectors = VectorStore(current_index(settings.index_dir).vectors_dir)
    assert vectors.pages() == 3
    best = vectors.nearest(embedding_model.embed(["photoacoustic imaging"])[0], 3)
    assert best[0].page_id == ids[2]
