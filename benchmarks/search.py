"""Search at scale: both engine backends on the same generated corpus, in one run.

    .venv/bin/python benchmarks/search.py --pages 100000 [--json] [--backends whoosh,tantivy] [--queries 200]
                                          [--keep DIR] [--embedding-passages 200] [--cli-runs 3]

What it does, in order (progress on stderr; figures on stdout, a table or with --json one JSON object):
  1. Generates N processed pages (benchmarks/search_corpus.py) into a store, as `scout process` leaves them, so
     the search service can read titles and snippets; and their passage vectors (synthetic, see that module)
     into one vector store that every backend's index shares. Neither is timed as indexing.
  2. Per backend, in a child process of its own: a full rebuild, timed: engine add + commit per batch of 500
     pages as `scout index` does (page generation excluded, embeddings excluded); pages/s, seconds, index bytes
     on disk, and the child's peak RSS (VmHWM of /proc/self/status, the whole process's high-water mark).
  3. Per backend, in another child process (a search process never builds): `--queries` mixed queries
     (words, AND, phrases, OR, NOT/-, acronyms, de/fr/ja/ko terms, frequent words) through the service the app
     uses (retrieval.requests.parse_search_request + retrieval.service.Searcher: engine search with facets and
     freshness counts, vectors, fusion, store reads and snippets), each as bm25, vectors and hybrid, without
     and with a filter (app:, country:, trl:>=7, market:, type:+trl:4-6, area:, lang:+role:, since:). The
     query embedding is injected (the synthetic vector of the query), so no model runs per query; the real
     model's speed is measured once, separately, on `--embedding-passages` passages of the corpus
     (passages/s, and the time it would take to embed the whole corpus).
  4. `scout search "oct retina" --data-dir DIR` in a fresh interpreter per backend, wall time, median of
     `--cli-runs` (the files are in the page cache; "cold" means a new process, not a cold disk).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.search_corpus import BATCH_PAGES, Corpus  # noqa: E402
from retrieval.engine import BACKENDS, IndexedPage  # noqa: E402

MODES = ("bm25", "vectors", "hybrid")
GENERATION = "gen-000001"
CLI_QUERY = "oct retina"
RESULT_LIMIT = 10


def progress(message: str) -> None:
    print(f"[search benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries that over exec
    from the forking parent, so a child would report the parent's peak (the embedding model's) as its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)  # kB
    raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


def directory_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: a value actually measured, never an interpolation."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


# -- the parent: shared data, then one child per backend and step ------------------------------------------

def fill_store(database: Path, corpus: Corpus) -> None:
    """The pages in a store, with ids equal to the corpus's page ids, as a crawl and `scout process` leave them."""
    from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord
    from store.records import sha256_hex

    with Store.open(database) as store:
        store.upsert_organisations([
            {"id": o.id, "name": o.name, "country": o.country, "market": o.market, "type": o.type,
             "website": f"https://{o.host}/", "languages": [o.language]} for o in corpus.organisations])
        run = store.start_crawl_run([o.id for o in corpus.organisations])
        for number, batch in enumerate(corpus):
            for page, _ in batch:
                body = page.text.encode()
                store.record_fetch(run, FetchedPage(page.url, page.url, page.organisation_id, 200, "text/html", body))
                store.save_processed(ProcessedPage(
                    page.page_id, page.title, page.text, page.language, sha256_hex(body),
                    tags=tuple(Tag(application, 0.9, page.title, "term") for application in page.applications),
                    trl=TRLRecord(page.trl, "benchmark", 0.8) if page.trl else None, role=page.role,
                    published_date=page.published.isoformat() if page.published else None))
            if number % 20 == 0:
                progress(f"store: {min(corpus.pages, (number + 1) * BATCH_PAGES)} pages")
        store.finish_crawl_run(run)
        assert store.page_id_for_url(page.url) == page.page_id, "store ids must equal the corpus's page ids"


def build_vectors(directory: Path, corpus: Corpus) -> dict[str, Any]:
    from retrieval.vectors import VectorStore

    started = time.perf_counter()
    store = VectorStore(directory, writable=True)
    for batch in corpus:
        for _, vectors in batch:
            store.add(vectors.page_id, vectors.spans, vectors.vectors)
        store.commit()
    passages = store.passages()
    store.close()
    return {"vector_store_build_s": round(time.perf_counter() - started, 1), "passages": passages,
            "vector_store_bytes": directory_bytes(directory)}


def embedding_speed(corpus: Corpus, count: int) -> dict[str, Any]:
    """The real model on `count` passages cut from the corpus's first pages, after one warm-up call."""
    if count <= 0:
        return {"embedding_passages_per_s": None}
    from indexer.analysis.embedding_model import embed
    from retrieval.passages import passages

    texts: list[str] = []
    for page, _ in corpus.batch(0):
        texts += [passage.text for passage in passages(page.title, page.text)]
        if len(texts) >= count:
            break
    texts = texts[:count]
    embed(texts[:8])  # loads the model; not part of the speed
    started = time.perf_counter()
    embed(texts)
    per_s = len(texts) / (time.perf_counter() - started)
    return {"embedding_passages_per_s": round(per_s, 1), "embedding_passages_measured": len(texts)}


def run_child(arguments: list[str]) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, str(Path(__file__).resolve()), *arguments],
                               stdout=subprocess.PIPE, text=True, check=True, cwd=REPO_ROOT)
    return json.loads(completed.stdout)


def cli_cold_start(data_dir: Path, runs: int) -> float | None:
    """Median wall time of `scout search` in a new interpreter (keyword search, the CLI's default mode);
    None when it fails (said on stderr), so a long run still reports everything else."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, "-m", "scout.cli", "search", CLI_QUERY, "--data-dir",
                                    str(data_dir)], cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
        if completed.returncode:
            progress(f"scout search failed (exit {completed.returncode}) on {data_dir}")
            return None
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def benchmark(pages: int, backends: list[str], queries: int, work: Path, embedding_passages: int,
              cli_runs: int) -> dict[str, Any]:
    corpus = Corpus(pages)
    started = time.perf_counter()
    fill_store(work / "scout.sqlite3", corpus)
    progress(f"store of {pages} pages filled in {time.perf_counter() - started:.0f} s")
    vectors = build_vectors(work / "vectors", corpus)
    progress(f"vector store: {vectors['passages']} passages in {vectors['vector_store_build_s']} s")
    # Before the backends, so a run stopped during a long Whoosh build still has it.
    result: dict[str, Any] = {"pages": pages, "backends": {}, **vectors,
                              **embedding_speed(corpus, embedding_passages)}
    if result["embedding_passages_per_s"]:
        result["embedding_corpus_estimate_s"] = round(vectors["passages"] / result["embedding_passages_per_s"])
        progress(f"embedding: {result['embedding_passages_per_s']} passages/s")
    for backend in backends:
        data_dir = work / backend
        progress(f"{backend}: rebuilding the index of {pages} pages")
        built = run_child(["--child", "build", "--backend", backend, "--pages", str(pages), "--work", str(work)])
        progress(f"{backend}: {built['rebuild_seconds']} s, {built['index_pages_per_s']} pages/s; querying")
        searched = run_child(["--child", "search", "--backend", backend, "--pages", str(pages),
                              "--work", str(work), "--queries", str(queries)])
        figures = {**built, **searched, "peak_rss_mb": max(built["build_peak_rss_mb"], searched["search_peak_rss_mb"])}
        if cli_runs:
            figures["cli_cold_start_s"] = cli_cold_start(data_dir, cli_runs)
        result["backends"][backend] = figures
        progress(f"{backend}: {json.dumps(figures)}")  # in the log even if a later step fails
        progress(f"{backend}: bm25 p95 {figures['bm25_p95_ms']} ms, hybrid+facets p95 "
                 f"{figures['hybrid_facets_p95_ms']} ms (filtered {figures['hybrid_facets_filtered_p95_ms']} ms)")
    result["cli_cold_start_s"] = result["backends"][backends[0]].get("cli_cold_start_s")
    return result


# -- the children ---------------------------------------------------------------------------------------------

def child_build(backend: str, pages: int, work: Path) -> dict[str, Any]:
    """A full rebuild into a fresh generation: only engine.add and engine.commit are timed."""
    from retrieval.engine import open_engine
    from retrieval.layout import ENGINE_DIR, VECTORS_DIR, switch_current

    index_dir = work / backend / "index"
    generation = index_dir / GENERATION
    shutil.rmtree(work / backend, ignore_errors=True)
    generation.mkdir(parents=True)
    (generation / VECTORS_DIR).symlink_to(work / "vectors", target_is_directory=True)
    (work / backend / "scout.sqlite3").symlink_to(work / "scout.sqlite3")
    corpus = Corpus(pages)
    engine = open_engine(backend, generation / ENGINE_DIR, writable=True)
    timed = 0.0
    for number, batch in enumerate(corpus):
        indexed: list[IndexedPage] = [page for page, _ in batch]
        started = time.perf_counter()
        engine.add(indexed)
        engine.commit()
        timed += time.perf_counter() - started
        if number % 20 == 0:
            progress(f"{backend}: {indexed[-1].page_id} pages indexed, {timed:.0f} s")
    started = time.perf_counter()
    engine.close()
    timed += time.perf_counter() - started
    switch_current(index_dir, GENERATION, backend)
    return {"rebuild_seconds": round(timed, 1), "index_pages_per_s": round(pages / timed, 1),
            "index_bytes": directory_bytes(generation / ENGINE_DIR), "build_peak_rss_mb": peak_rss_mb()}


def child_search(backend: str, pages: int, work: Path, query_count: int) -> dict[str, Any]:
    """Every query in every mode, without and with its filter, through the app's own search service."""
    import numpy as np

    from retrieval.query import parse, semantic_text
    from retrieval.requests import parse_search_request
    from retrieval.service import Searcher

    corpus = Corpus(pages)
    queries = corpus.queries(query_count)
    vector_of: dict[str, np.ndarray] = {}
    for number, query in enumerate(queries):
        for text in (query.text, query.filtered_text):
            node = parse(text)
            vector_of.setdefault(semantic_text(node) if node is not None else "", corpus.query_vector(query, number))

    def embed(texts: list[str]) -> np.ndarray:
        return np.stack([vector_of[text] for text in texts])

    searcher = Searcher(work / backend / "index", work / "scout.sqlite3", embed=embed)
    started = time.perf_counter()
    searcher.search(parse_search_request({"q": [queries[0].text], "mode": ["hybrid"]}, last_crawl=None))
    first_ms = (time.perf_counter() - started) * 1000
    timings: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    errors: list[str] = []
    for number, query in enumerate(queries):
        for filtered, text in ((False, query.text), (True, query.filtered_text)):
            for mode in MODES:
                key = f"{mode}_filtered" if filtered else mode
                request = parse_search_request({"q": [text], "mode": [mode], "limit": [str(RESULT_LIMIT)]},
                                               last_crawl=None)
                started = time.perf_counter()
                try:
                    results = searcher.search(request)
                except Exception as error:  # a failure is a finding to report, not a reason to stop measuring
                    errors.append(f"{mode} {text!r}: {type(error).__name__}: {error}")
                    continue
                timings.setdefault(key, []).append((time.perf_counter() - started) * 1000)
                totals.setdefault(key, []).append(results.total)
        if number % 50 == 49:
            progress(f"{backend}: {number + 1} queries × {len(MODES)} modes × with/without filter")
    searcher.close()
    figures: dict[str, Any] = {"first_search_ms": round(first_ms, 1), "query_errors": len(errors),
                               "query_error_examples": errors[:5], "search_peak_rss_mb": peak_rss_mb()}
    names = {"bm25": "bm25", "vectors": "vector", "hybrid": "hybrid_facets"}
    for key, values in timings.items():
        mode, _, filtered = key.partition("_")
        name = names[mode] + ("_filtered" if filtered else "")
        figures[f"{name}_p50_ms"] = round(percentile(values, 0.5), 1)
        figures[f"{name}_p95_ms"] = round(percentile(values, 0.95), 1)
        figures[f"{name}_median_hits"] = int(statistics.median(totals[key]))
    return figures


# -- output ---------------------------------------------------------------------------------------------------

ROWS = (("index_pages_per_s", "indexing pages/s"), ("rebuild_seconds", "full rebuild s (no embeddings)"),
        ("index_bytes", "index bytes"), ("build_peak_rss_mb", "peak RSS building MB"),
        ("search_peak_rss_mb", "peak RSS searching MB"), ("first_search_ms", "first search ms"),
        ("bm25_p50_ms", "bm25 p50 ms"), ("bm25_p95_ms", "bm25 p95 ms"),
        ("bm25_filtered_p50_ms", "bm25 filtered p50 ms"), ("bm25_filtered_p95_ms", "bm25 filtered p95 ms"),
        ("vector_p50_ms", "vector p50 ms"), ("vector_p95_ms", "vector p95 ms"),
        ("vector_filtered_p50_ms", "vector filtered p50 ms"), ("vector_filtered_p95_ms", "vector filtered p95 ms"),
        ("hybrid_facets_p50_ms", "hybrid+facets p50 ms"), ("hybrid_facets_p95_ms", "hybrid+facets p95 ms"),
        ("hybrid_facets_filtered_p50_ms", "hybrid+facets filtered p50 ms"),
        ("hybrid_facets_filtered_p95_ms", "hybrid+facets filtered p95 ms"),
        ("bm25_median_hits", "median hits bm25"), ("bm25_filtered_median_hits", "median hits bm25 filtered"),
        ("query_errors", "query errors"), ("cli_cold_start_s", "scout search cold s"))


def table(result: dict[str, Any]) -> str:
    backends = list(result["backends"])
    lines = [f"{result['pages']:,} pages, {result['passages']:,} passages "
             f"(vector store built in {result['vector_store_build_s']} s, {result['vector_store_bytes']:,} bytes)",
             f"{'':34}" + "".join(f"{backend:>14}" for backend in backends)]
    for key, label in ROWS:
        values = [result["backends"][backend].get(key) for backend in backends]
        lines.append(f"{label:34}" + "".join(f"{'-' if value is None else value:>14}" for value in values))
    if result.get("embedding_passages_per_s"):
        lines.append(f"embedding (real MiniLM): {result['embedding_passages_per_s']} passages/s, "
                     f"about {result['embedding_corpus_estimate_s'] / 60:.0f} min for this corpus")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it (default: a temporary one)")
    parser.add_argument("--embedding-passages", type=int, default=200,
                        help="passages to time the real embedding model on (0: skip; it loads torch)")
    parser.add_argument("--cli-runs", type=int, default=3, help="scout search runs per backend (0: skip)")
    parser.add_argument("--child", choices=("build", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        print(json.dumps(child_build(args.backend, args.pages, args.work)))
        return
    if args.child == "search":
        print(json.dumps(child_search(args.backend, args.pages, args.work, args.queries)))
        return
    backends = [backend.strip() for backend in args.backends.split(",") if backend.strip()]
    unknown = set(backends) - set(BACKENDS)
    if unknown or not backends:
        parser.error(f"--backends takes some of {', '.join(BACKENDS)}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            parser.error(f"--keep {args.keep} must be empty or new")
    work = args.keep or Path(tempfile.mkdtemp(prefix="scout-search-benchmark-"))
    try:
        result = benchmark(args.pages, backends, args.queries, work, args.embedding_passages, args.cli_runs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result) if args.json else table(result))


if __name__ == "__main__":
    main()
