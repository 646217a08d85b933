from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import vectors as vectors_module
from retrieval.vectors import DIMENSIONS, StoreLockedError, VectorStore

REPO = Path(__file__).resolve().parents[2]


def unit(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def spans(count: int) -> list[tuple[int, int]]:
    return [(100 * i, 100 * i + 90) for i in range(count)]


def fill(store: VectorStore, pages: range, seed: int = 0, passages: int = 3) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    added = {}
    for page in pages:
        added[page] = unit(rng, passages)
        store.add(page, spans(passages), added[page])
    return added


def brute_force(added: dict[int, np.ndarray], query: np.ndarray, limit: int, allowed=None) -> list[int]:
    best = {page: float(np.max(vectors @ query)) for page, vectors in added.items()
            if allowed is None or page in allowed}
    return sorted(best, key=lambda page: (-best[page], page))[:limit]


def test_add_commit_reopen_replace_delete(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(1, 21))
    store.commit()
    assert (store.pages(), store.passages()) == (20, 60)
    store.close()

    reopened = VectorStore(tmp_path, writable=True)
    assert reopened.page_ids().tolist() == list(range(1, 21))
    replacement = unit(np.random.default_rng(7), 2)
    reopened.add(5, [(0, 10), (10, 20)], replacement)
    reopened.delete([6, 999])
    reopened.commit()
    reopened.close()

    reader = VectorStore(tmp_path)
    assert (reader.pages(), reader.passages()) == (19, 56)
    assert 6 not in reader.page_ids()
    hit = reader.nearest(replacement[1], 1)[0]
    assert (hit.page_id, hit.start, hit.end) == (5, 10, 20)
    assert hit.similarity == pytest.approx(1.0, abs=1e-5)
    assert all(hit.page_id != 6 for hit in reader.nearest(added[6][0], 30))  # deleted rows never return
    assert all(hit.similarity < 0.5 for hit in reader.nearest(added[5][0], 30) if hit.page_id == 5)


def test_nearest_matches_brute_force_best_passage_per_page(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(200), passages=4)
    store.commit()
    rng = np.random.default_rng(3)
    for query in unit(rng, 5):
        hits = store.nearest(query, 10)
        assert [hit.page_id for hit in hits] == brute_force(added, query, 10)
        assert len({hit.page_id for hit in hits}) == 10
        for hit in hits:
            best_passage = int(np.argmax(added[hit.page_id] @ query))
            assert (hit.start, hit.end) == spans(4)[best_passage]
            assert hit.similarity == pytest.approx(float(added[hit.page_id][best_passage] @ query), abs=1e-5)


def assert_filtered_before_the_top_k(store: VectorStore, added: dict, allowed_share: float) -> None:
    """The 10 nearest of 1,000 pages among an allowed share that excludes the 40 nearest overall are exactly the
    brute-force ones (a filter applied after the top-k would leave none); empty or unknown filters find none."""
    query = unit(np.random.default_rng(11), 1)[0]
    globally_best = set(brute_force(added, query, 40))
    rng = np.random.default_rng(12)
    allowed = frozenset(int(p) for p in rng.choice(1000, int(1000 * allowed_share), replace=False)) - globally_best
    hits = store.nearest(query, 10, allowed=allowed, floor=-1.0)
    assert len(hits) == 10
    assert [hit.page_id for hit in hits] == brute_force(added, query, 10, allowed)
    assert store.nearest(query, 10, allowed=frozenset()) == []
    assert store.nearest(query, 10, allowed=frozenset({10_000})) == []


@pytest.mark.parametrize("allowed_share", [0.03, 0.9])  # gathers few rows / scans every row
def test_filters_apply_before_the_top_k(tmp_path, allowed_share):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(1000))
    store.commit()
    assert_filtered_before_the_top_k(store, added, allowed_share)


def test_floor_drops_weak_pages(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(50))
    store.commit()
    hits = store.nearest(added[7][1], 50, floor=0.5)
    assert [hit.page_id for hit in hits] == [7]


def test_compaction_keeps_answers_identical(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    fill(store, range(100))
    store.commit()
    fill(store, range(0, 100, 5), seed=1)  # replaces 20% of pages: below the compaction threshold
    store.commit()
    assert (tmp_path / "0.vectors").exists()
    queries = unit(np.random.default_rng(5), 4)
    allowed = frozenset(range(0, 100, 3))
    before = [(store.nearest(q, 10), store.nearest(q, 10, allowed=allowed)) for q in queries]
    store.compact()
    assert not (tmp_path / "0.vectors").exists()
    assert os.path.getsize(tmp_path / "1.vectors") == 300 * DIMENSIONS * 4
    after = [(store.nearest(q, 10), store.nearest(q, 10, allowed=allowed)) for q in queries]
    assert after == before
    assert VectorStore(tmp_path).nearest(queries[0], 10) == before[0][0]


def test_commit_compacts_when_many_rows_are_deleted(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    fill(store, range(100))
    store.commit()
    store.delete(range(40))
    store.commit()
    assert not (tmp_path / "0.vectors").exists()
    assert store.passages() == 180 and os.path.getsize(tmp_path / "1.vectors") == 180 * DIMENSIONS * 4
    fill(store, range(100, 110))  # and it keeps appending to the new segment
    store.commit()
    assert VectorStore(tmp_path).pages() == 70


def test_uncommitted_rows_are_invisible_and_one_writer_at_a_time(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    fill(store, range(10))
    store.commit()
    fill(store, range(10, 20))
    store.delete([0])
    reader = VectorStore(tmp_path)
    assert reader.page_ids().tolist() == list(range(10))
    with pytest.raises(StoreLockedError):
        VectorStore(tmp_path, writable=True)
    with pytest.raises(PermissionError):
        reader.add(1, spans(1), unit(np.random.default_rng(), 1))


def test_shared_reuses_its_mapping_until_a_commit(tmp_path):
    writer = VectorStore(tmp_path, writable=True)
    fill(writer, range(10))
    writer.commit()
    shared = VectorStore.shared(tmp_path)
    mapping, loads, generation = shared._snapshot.vectors, shared.loads, shared.generation
    for _ in range(3):
        assert VectorStore.shared(tmp_path) is shared
    assert shared.loads == loads and shared._snapshot.vectors is mapping
    fill(writer, range(10, 15))
    assert VectorStore.shared(tmp_path).pages() == 10  # appended, not committed: nothing to reload
    assert shared.loads == loads
    writer.commit()
    assert VectorStore.shared(tmp_path).pages() == 15
    assert shared.loads == loads + 1 and shared._snapshot.vectors is not mapping
    assert shared.generation == generation + 1


WRITER = """
import sys, time
import numpy as np
from pathlib import Path
from retrieval.vectors import DIMENSIONS, VectorStore
directory, first, committed, uncommitted = Path(sys.argv[1]), *map(int, sys.argv[2:5])
rng = np.random.default_rng(first)
store = VectorStore(directory, writable=True)
def add(page):
    vectors = rng.standard_normal((3, DIMENSIONS)).astype(np.float32)
    store.add(page, [(0, 1), (1, 2), (2, 3)], vectors)
for page in range(first, first + committed):
    add(page)
store.commit()
for page in range(first + committed, first + committed + uncommitted):
    add(page)
print("appending", flush=True)
while uncommitted:
    time.sleep(0.05)
"""


def run_writer(directory: Path, first: int, committed: int, uncommitted: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(first), str(committed),
                             str(uncommitted)], stdout=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_writer_killed_mid_append_leaves_a_store_the_next_writer_repairs(tmp_path):
    writer = run_writer(tmp_path, first=0, committed=50, uncommitted=500)
    try:
        assert writer.stdout.readline().strip() == "appending"
        # Another process reads while rows past the commit are on disk: it sees exactly the commit.
        assert os.path.getsize(tmp_path / "0.vectors") > 150 * DIMENSIONS * 4
        reader = VectorStore.shared(tmp_path)
        assert reader.page_ids().tolist() == list(range(50)) and reader.passages() == 150
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    assert VectorStore(tmp_path).pages() == 50

    repaired = VectorStore(tmp_path, writable=True)  # the lock died with the writer; the tail is cut
    assert os.path.getsize(tmp_path / "0.vectors") == 150 * DIMENSIONS * 4
    assert repaired.page_ids().tolist() == list(range(50))
    repaired.close()

    # The next run completes, and the reader of the first process sees its commit.
    finisher = run_writer(tmp_path, first=50, committed=20, uncommitted=0)
    assert finisher.wait(timeout=60) == 0
    assert VectorStore.shared(tmp_path) is reader
    assert reader.page_ids().tolist() == list(range(70))
    assert os.path.getsize(tmp_path / "0.vectors") == 210 * DIMENSIONS * 4


@pytest.mark.parametrize("allowed", [None, frozenset({99})])  # scans / gathers
def test_replaced_rows_next_to_the_new_ones_never_score(tmp_path, allowed):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(100))
    store.commit()
    store.add(99, spans(1), unit(np.random.default_rng(9), 1))  # appended right after its old rows
    store.commit()
    hits = {hit.page_id: hit for hit in store.nearest(added[99][0], 100, allowed=allowed, floor=-1.0)}
    assert hits[99].similarity < 0.5 and (hits[99].start, hits[99].end) == spans(1)[0]


def test_a_reader_keeps_answering_across_a_compaction_and_then_moves_to_it(tmp_path):
    writer = VectorStore(tmp_path, writable=True)
    added = fill(writer, range(30))
    writer.commit()
    reader = VectorStore.shared(tmp_path)
    before = reader.nearest(added[3][0], 5)
    writer.delete(range(20, 30))  # a third of the rows: commit compacts and unlinks segment 0
    writer.commit()
    assert not (tmp_path / "0.vectors").exists()
    assert reader.nearest(added[3][0], 5) == before  # still mapped, still the snapshot it had
    assert VectorStore.shared(tmp_path).pages() == 20
    assert all(hit.page_id < 20 for hit in reader.nearest(added[25][0], 30))


def test_a_missing_store_reads_as_empty(tmp_path):
    store = VectorStore(tmp_path / "none")
    assert (store.pages(), store.passages(), store.page_ids().tolist()) == (0, 0, [])
    assert store.nearest(unit(np.random.default_rng(), 1)[0], 10) == []


# Two-stage search: page vectors choose candidate pages, their passages are scored exactly.

@pytest.fixture
def two_stage(monkeypatch):
    """Every store searches in two stages, with `candidates` candidate pages whatever the limit."""
    def configure(candidates: int) -> None:
        monkeypatch.setattr(vectors_module, "EXACT_BELOW", 0)
        monkeypatch.setattr(vectors_module, "CANDIDATE_FACTOR", 0)
        monkeypatch.setattr(vectors_module, "MIN_CANDIDATE_PAGES", candidates)
    return configure


def clustered(store: VectorStore, pages: range, seed: int = 0) -> dict[int, np.ndarray]:
    """Pages whose passages lie near their own random page direction, as real pages' passages do."""
    rng = np.random.default_rng(seed)
    added = {}
    for page in pages:
        centre = unit(rng, 1)
        rows = centre + 0.5 * unit(rng, 4)
        added[page] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        store.add(page, spans(4), added[page])
    return added


def test_two_stage_equals_exact_when_the_candidates_cover_every_page(tmp_path, two_stage):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(300), passages=4)
    store.commit()
    two_stage(candidates=299)  # one page short of all: the page stage drops the page whose mean is farthest
    store._snapshot = store._load()
    assert store._snapshot.page_vectors is not None
    for query in unit(np.random.default_rng(3), 5):
        means = {page: rows.mean(axis=0) / np.linalg.norm(rows.mean(axis=0)) for page, rows in added.items()}
        farthest = min(means, key=lambda page: float(means[page] @ query))
        kept = {page: rows for page, rows in added.items() if page != farthest}
        hits = store.nearest(query, 300, floor=-1.0)
        assert [hit.page_id for hit in hits] == brute_force(kept, query, 300)
    two_stage(candidates=300)
    store._snapshot = store._load()
    for query in unit(np.random.default_rng(4), 5):
        hits = store.nearest(query, 10)
        assert [hit.page_id for hit in hits] == brute_force(added, query, 10)
        for hit in hits:
            best_passage = int(np.argmax(added[hit.page_id] @ query))
            assert (hit.start, hit.end) == spans(4)[best_passage]
            assert hit.similarity == pytest.approx(float(added[hit.page_id][best_passage] @ query), abs=1e-5)


def test_two_stage_finds_the_pages_whose_passages_cluster_near_the_query(tmp_path, two_stage):
    two_stage(candidates=40)
    store = VectorStore(tmp_path, writable=True)
    added = clustered(store, range(2000))
    store.commit()
    for page in (3, 777, 1999):
        query = added[page].mean(axis=0)
        hits = store.nearest(query / np.linalg.norm(query), 5)
        assert hits[0].page_id == page
        assert [hit.page_id for hit in hits] == brute_force(added, query / np.linalg.norm(query), 5)


@pytest.mark.parametrize("allowed_share", [0.03, 0.9])  # page vectors gathered / all scored
def test_two_stage_filters_apply_before_the_top_k(tmp_path, two_stage, allowed_share):
    two_stage(candidates=10)  # as few candidates as results: a page lost to the filter would leave a gap
    store = VectorStore(tmp_path, writable=True)
    added = {}
    for page, direction in zip(range(1000), unit(np.random.default_rng(2), 1000)):
        added[page] = np.stack([direction] * 3)  # a page's passages agree, so its mean ranks it exactly
        store.add(page, spans(3), added[page])
    store.commit()
    assert_filtered_before_the_top_k(store, added, allowed_share)


def test_two_stage_never_returns_deleted_or_replaced_rows(tmp_path, two_stage):
    two_stage(candidates=20)
    store = VectorStore(tmp_path, writable=True)
    added = clustered(store, range(200))
    store.commit()
    store.delete([5])
    replacement = unit(np.random.default_rng(9), 1)
    store.add(6, spans(1), replacement)  # its old rows stay in the segment as tombstones, next to page 199's
    store.commit()
    assert all(hit.page_id != 5 for hit in store.nearest(added[5][0], 200, floor=-1.0))
    hits = {hit.page_id: hit for hit in store.nearest(added[6][0], 20, floor=-1.0)}
    assert 6 not in hits or hits[6].similarity < 0.5
    hit = store.nearest(replacement[0], 1)[0]
    assert (hit.page_id, hit.start, hit.end) == (6, *spans(1)[0])
    assert hit.similarity == pytest.approx(1.0, abs=1e-5)


def test_page_vectors_follow_a_commit(tmp_path, two_stage):
    two_stage(candidates=5)
    writer = VectorStore(tmp_path, writable=True)
    added = clustered(writer, range(300))
    writer.commit()
    reader = VectorStore.shared(tmp_path)
    old = reader._snapshot.page_vectors.copy()
    assert reader.nearest(added[42][0], 1)[0].page_id == 42
    # Page 42 now has new passages, all about what page 7 was about.
    moved = added[7] + 0.01 * unit(np.random.default_rng(1), 4)
    writer.add(42, spans(4), moved)
    writer.commit()
    reader = VectorStore.shared(tmp_path)
    position = int(np.flatnonzero(reader._snapshot.run_pages[reader._snapshot.live_runs] == 42)[0])
    new_vector = reader._snapshot.page_vectors[position]
    mean = (moved / np.linalg.norm(moved, axis=1, keepdims=True)).mean(axis=0)
    assert new_vector == pytest.approx(mean / np.linalg.norm(mean), abs=1e-5)
    assert len(reader._snapshot.page_vectors) == len(old)
    assert {hit.page_id for hit in reader.nearest(added[7][0], 2)} == {7, 42}
    assert all(hit.page_id != 42 for hit in reader.nearest(added[42][0], 5, floor=0.9))


def test_a_small_store_is_searched_exactly(tmp_path):
    store = VectorStore(tmp_path, writable=True)
    added = fill(store, range(300), passages=4)  # 1,200 passages: far below EXACT_BELOW
    store.commit()
    assert store._snapshot.page_vectors is None
    for query in unit(np.random.default_rng(8), 3):
        assert [hit.page_id for hit in store.nearest(query, 50)] == brute_force(added, query, 50)
