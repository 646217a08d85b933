"""Passage vector store: exact search latency at 100k, 300k and 1M passages, and whether an HNSW index pays.

Random normalised 384-d vectors, 10 passages per page, written through VectorStore in a temporary
directory. For each size it prints the time to append and commit, and p50/p95 of VectorStore.nearest
(top 10 pages) unfiltered and with a filter allowing 10% and 60% of pages. For the sizes in --ann-sizes
it builds a usearch HNSW index over the same rows (f16, connectivity 16, expansion_add 64,
expansion_search 64) and prints its build time, p50/p95 and recall@10 of pages against the exact answer
(the best passage per page taken from the 100 nearest rows).

    python benchmarks/vectors.py                      # 100k, 300k, 1M exact; HNSW at 100k
    python benchmarks/vectors.py --sizes 100000 --ann-sizes 100000 300000 --queries 20

Takes 4.3 minutes on 2 cores shared at load average 8 (peak RSS 1.6 GB, mostly the mapped 1M vectors),
more than half of it building the HNSW index; the load average is printed since figures on a shared
machine scale with it. Measured 2026-11-30: exact p50/p95 39/50 ms at 100k passages, 106/127 ms at 300k,
344/390 ms at 1M; HNSW build 156 s for 100k (641 passages/s), search p50/p95 2.3/6.2 ms, recall@10 of
pages 0.13. So the store searches exactly and has no ANN index: see retrieval/vectors.py.
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

from retrieval.vectors import DIMENSIONS, VectorStore  # noqa: E402

PASSAGES_PER_PAGE = 10
ANN_CANDIDATES = 100


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSIONS), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def build(directory: Path, passages: int, rng: np.random.Generator) -> float:
    started = time.perf_counter()
    store = VectorStore(directory, writable=True)
    spans = [(i * 600, i * 600 + 590) for i in range(PASSAGES_PER_PAGE)]
    pages_per_block = 2_000
    for first_page in range(0, passages // PASSAGES_PER_PAGE, pages_per_block):
        block = unit_vectors(rng, pages_per_block * PASSAGES_PER_PAGE)
        for offset in range(pages_per_block):
            rows = block[offset * PASSAGES_PER_PAGE:(offset + 1) * PASSAGES_PER_PAGE]
            store.add(first_page + offset, spans, rows)
    store.commit()
    store.close()
    return time.perf_counter() - started


def percentiles(milliseconds: list[float]) -> str:
    p50, p95 = np.percentile(milliseconds, [50, 95])
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"


def timed(function, queries: np.ndarray) -> tuple[list, list[float]]:
    answers, times = [], []
    for query in queries:
        started = time.perf_counter()
        answers.append(function(query))
        times.append((time.perf_counter() - started) * 1000)
    return answers, times


def measure_exact(store: VectorStore, queries: np.ndarray, rng: np.random.Generator) -> list:
    pages = store.page_ids()
    exact, times = timed(lambda q: store.nearest(q, 10, floor=-1.0), queries)
    print(f"  exact, unfiltered          {percentiles(times)}")
    for share in (0.1, 0.6):
        allowed = frozenset(int(p) for p in rng.choice(pages, int(len(pages) * share), replace=False))
        _, times = timed(lambda q, allowed=allowed: store.nearest(q, 10, allowed=allowed, floor=-1.0), queries)
        print(f"  exact, {share:.0%} of pages allowed {percentiles(times)}")
    return exact


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
    recall = np.mean([len(set(a) & {hit.page_id for hit in e}) / 10 for a, e in zip(answers, exact)])
    print(f"  HNSW search                {percentiles(times)}  recall@10 of pages {recall:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--ann-sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--queries", type=int, default=50)
    arguments = parser.parse_args()
    rng = np.random.default_rng(2026)
    queries = unit_vectors(rng, arguments.queries)
    print("load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for passages in arguments.sizes:
        with tempfile.TemporaryDirectory(prefix="scout-vectors-") as directory:
            seconds = build(Path(directory), passages, rng)
            store = VectorStore(Path(directory))
            print(f"{passages:,} passages ({store.pages():,} pages): appended and committed in {seconds:.1f} s "
                  f"({passages / seconds:,.0f} passages/s)")
            exact = measure_exact(store, queries, rng)
            if passages in arguments.ann_sizes:
                measure_ann(store, queries, exact)
    print("load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
