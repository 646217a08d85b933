"""Passage vector store: two-stage search (page vectors, then passages) against the exact scan, and HNSW.

Vectors are made as benchmarks/search_corpus.py makes them (copied here so this script runs alone): 35
application centroids; a page is about 1-3 applications (50/35/15%), its vector their centroid sum plus noise,
and its passages (lognormal page length around 900 words, one passage per 120 words, 1-24, about 7.7 on
average) that page vector plus noise; a query is one application's centroid plus noise. Written through
VectorStore in a temporary directory. For each size it prints the time to append and commit, the time to map
a snapshot (which computes the page vectors), p50/p95 of VectorStore.nearest for the exact scan and the
two-stage search, unfiltered and with a filter allowing 10% and 60% of pages, at limit 10 and 50 (the hybrid
search asks for 50), and recall of the two-stage answer against the exact one: the share of the exact top
pages it returns, and the share of those returned with the same best passage and similarity. --candidates
sweeps the number of candidate pages. For the sizes in --ann-pages it builds a usearch HNSW index over the
same rows (f16, connectivity 16, expansion_add 64, expansion_search 64) and prints its build time, p50/p95
and recall@10 of pages against the exact answer.

    python benchmarks/vectors.py                         # 100k pages
    python benchmarks/vectors.py --pages 100000 300000 --candidates 100 200 400 800 1600 --queries 50

Measured 2026-11-30 on 2 cores shared at load average ~5.5 (p50/p95 ms, exact -> two-stage):
100k pages, 761k passages, page vectors computed in 1.0 s: top 10 unfiltered 281/412 -> 32/44, 10% allowed
253/369 -> 32/36, 60% 174/261 -> 40/49; top 50 unfiltered 139/228 -> 32/40, 10% 139/158 -> 31/45, 60%
154/183 -> 38/44. Recall of pages with 200/400/800/1,600 candidates: @10 0.89/0.96/0.99/1.00, @50
0.81/0.93/0.99/1.00 unfiltered (1.00 at 10% allowed, >= 0.97 at 60% from 400 up); every page found came with
its exact best passage. 300k pages, 2.28M passages, 800 candidates: page vectors 1.1 s (2.7 s reloaded under
load); top 10 unfiltered 396/432 -> 70/77, 60% allowed 436/488 -> 102/115, recall@10 0.92 unfiltered, 0.99
at 60%; top 50 421/463 -> 72/101, recall@50 0.91: at that size the candidates should grow with the pages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval import vectors as vector_module
from retrieval.vectors import DIMENSIONS, PassageHit, VectorStore

APPLICATIONS = 35
NOISE = 0.7
PASSAGE_WORDS = 120
MAX_PASSAGES = 24
PAGES_PER_BLOCK = 2_000
ANN_CANDIDATES = 100


def normalised(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def noisy(centres: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return normalised(centres + NOISE * normalised(rng.standard_normal(centres.shape, dtype=np.float32)))


def build(directory: Path, pages: int, centroids: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """Appends `pages` pages of application-centroid passages and commits; returns (passages, seconds)."""
    started = time.perf_counter()
    store = VectorStore(directory, writable=True)
    passages = 0
    for first_page in range(0, pages, PAGES_PER_BLOCK):
        count = min(PAGES_PER_BLOCK, pages - first_page)
        words = np.clip(rng.lognormal(np.log(750), 0.65, count), 80, 5_000)
        counts = np.clip(np.round(words / PASSAGE_WORDS), 1, MAX_PASSAGES).astype(int)
        applications = rng.choice((1, 2, 3), size=count, p=(0.5, 0.35, 0.15))
        centres = np.stack([centroids[rng.choice(APPLICATIONS, size=n, replace=False)].sum(axis=0)
                            for n in applications])
        rows = noisy(np.repeat(noisy(centres, rng), counts, axis=0), rng)
        row = 0
        for offset, passage_count in enumerate(counts.tolist()):
            spans = [(i * 800, i * 800 + 790) for i in range(passage_count)]
            store.add(first_page + offset, spans, rows[row:row + passage_count])
            row += passage_count
        passages += row
    store.commit()
    store.close()
    return passages, time.perf_counter() - started


def percentiles(milliseconds: list[float]) -> str:
    p50, p95 = np.percentile(milliseconds, [50, 95])
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"


def timed(function, queries: np.ndarray) -> tuple[list, list[float]]:
    answers, times = [], []
    for query in queries:
        started = time.perf_counter()
        answers.append(function(query))
        times.append((time.perf_counter() - started) * 1000)
    return answers, times


def recall(found: list[list[PassageHit]], exact: list[list[PassageHit]]) -> tuple[float, float]:
    """Share of the exact answer's pages found, and share of those found with the same best passage."""
    pages, passages = [], []
    for answer, truth in zip(found, exact):
        by_page = {hit.page_id: hit for hit in answer}
        common = [hit for hit in truth if hit.page_id in by_page]
        pages.append(len(common) / max(1, len(truth)))
        # The same passage, and its similarity up to float32 rounding (a gathered product sums differently).
        same = [(by_page[hit.page_id].start, by_page[hit.page_id].end) == (hit.start, hit.end)
                and abs(by_page[hit.page_id].similarity - hit.similarity) < 1e-5 for hit in common]
        passages.append(np.mean(same) if common else 1.0)
    return float(np.mean(pages)), float(np.mean(passages))


def exact_nearest(store: VectorStore, query: np.ndarray, limit: int, allowed: frozenset[int] | None) -> list:
    """The exact scan: the same snapshot with its page vectors hidden."""
    snapshot = store._snapshot
    page_vectors, snapshot.page_vectors = snapshot.page_vectors, None
    try:
        return store.nearest(query, limit, allowed=allowed, floor=-1.0)
    finally:
        snapshot.page_vectors = page_vectors


def set_candidates(count: int | None) -> None:
    """Fixes the candidate page count (None: the store's own rule)."""
    if count is None:
        vector_module.CANDIDATE_FACTOR, vector_module.MIN_CANDIDATE_PAGES = DEFAULT_CANDIDATES
    else:
        vector_module.CANDIDATE_FACTOR, vector_module.MIN_CANDIDATE_PAGES = 0, count


DEFAULT_CANDIDATES = (vector_module.CANDIDATE_FACTOR, vector_module.MIN_CANDIDATE_PAGES)


def measure(store: VectorStore, queries: np.ndarray, rng: np.random.Generator,
            candidate_counts: list[int]) -> dict:
    pages = store.page_ids()
    filters = {"unfiltered": None}
    for share in (0.1, 0.6):
        filters[f"{share:.0%} allowed"] = frozenset(int(p) for p in rng.choice(pages, int(len(pages) * share),
                                                                                replace=False))
    exact_answers = {}
    for limit in (10, 50):
        for name, allowed in filters.items():
            exact, exact_times = timed(lambda q, limit=limit, allowed=allowed: exact_nearest(store, q, limit, allowed), queries)
            exact_answers[limit, name] = exact
            set_candidates(None)
            found, times = timed(lambda q, limit=limit, allowed=allowed: store.nearest(q, limit, allowed=allowed,
                                                                            floor=-1.0), queries)
            pages_recall, passage_recall = recall(found, exact)
            print(f"  limit {limit:2}, {name:12} exact {percentiles(exact_times)} | two-stage "
                  f"{percentiles(times)} | recall@{limit} pages {pages_recall:.3f}, best passage "
                  f"{passage_recall:.3f}")
    for count in candidate_counts:
        set_candidates(count)
        for limit in (10, 50):
            for name, allowed in filters.items():
                found, times = timed(lambda q, limit=limit, allowed=allowed: store.nearest(q, limit, allowed=allowed,
                                                                            floor=-1.0), queries)
                pages_recall, _ = recall(found, exact_answers[limit, name])
                print(f"  {count:5} candidates, limit {limit:2}, {name:12} {percentiles(times)} "
                      f"recall@{limit} pages {pages_recall:.3f}")
    set_candidates(None)
    return exact_answers


def measure_ann(store: VectorStore, queries: np.ndarray, exact: list) -> None:
    try:
        from usearch.index import Index
    except ImportError:
        print("  HNSW: usearch is not installed, skipped")
        return

    snapshot = store._snapshot
    index = Index(ndim=DIMENSIONS, metric="ip", dtype="f16", connectivity=16, expansion_add=64,
                  expansion_search=64)
    started = time.perf_counter()
    index.add(np.arange(snapshot.rows), np.asarray(snapshot.vectors), threads=2)
    seconds = time.perf_counter() - started
    print(f"  HNSW build {seconds:6.1f} s ({snapshot.rows / seconds:,.0f} passages/s)")

    def ann_pages(query: np.ndarray) -> list[int]:
        found = index.search(query, ANN_CANDIDATES)
        pages: list[int] = []
        for row in found.keys:
            page = int(snapshot.page_ids[row])
            if page not in pages:
                pages.append(page)
        return pages[:10]

    answers, times = timed(ann_pages, queries)
    recall_pages = np.mean([len(set(a) & {hit.page_id for hit in e}) / 10 for a, e in zip(answers, exact)])
    print(f"  HNSW search                {percentiles(times)}  recall@10 of pages {recall_pages:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[100_000])
    parser.add_argument("--candidates", type=int, nargs="*", default=[])
    parser.add_argument("--ann-pages", type=int, nargs="*", default=[])
    parser.add_argument("--queries", type=int, default=50)
    arguments = parser.parse_args()
    rng = np.random.default_rng(2026)
    centroids = normalised(rng.standard_normal((APPLICATIONS, DIMENSIONS), dtype=np.float32))
    queries = noisy(centroids[rng.integers(APPLICATIONS, size=arguments.queries)], rng)
    print("load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for pages in arguments.pages:
        with tempfile.TemporaryDirectory(prefix="scout-vectors-") as directory:
            passages, seconds = build(Path(directory), pages, centroids, rng)
            started = time.perf_counter()
            store = VectorStore(Path(directory))
            loaded = time.perf_counter() - started
            print(f"{pages:,} pages, {passages:,} passages: appended and committed in {seconds:.1f} s "
                  f"({passages / seconds:,.0f} passages/s); snapshot mapped with page vectors in {loaded:.2f} s")
            started = time.perf_counter()
            store._snapshot = store._load()
            print(f"  snapshot reloaded (warm page cache) in {time.perf_counter() - started:.2f} s")
            exact = measure(store, queries, rng, arguments.candidates)
            if pages in arguments.ann_pages:
                measure_ann(store, queries, exact[10, "unfiltered"])
    print("load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
