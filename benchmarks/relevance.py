"""Search quality: MRR, Recall@10 and nDCG@10 of BM25, vectors and hybrid on a judged query set.

Builds one data directory holding the demo corpus (the bundled demo sites, crawled on loopback as
`scout demo --no-serve` does) and the real site ../shared/sites/bolts-cu-boulder (served on loopback and
crawled like `scout crawl --url`), processed and indexed together, so every query competes with both
corpora's pages. Runs every query of eval/relevance/tune.jsonl and test.jsonl in the three modes.

    python benchmarks/relevance.py                   # build in a temporary directory
    python benchmarks/relevance.py --data-dir D      # build in D, or reuse D when it already holds a store
    python benchmarks/relevance.py --json            # machine-readable figures

It lives in benchmarks/ beside matching.py, the other measure that builds the demo; the judged queries
live in eval/relevance/ beside the other labelled sets. Where the shared folder ($SCOUT_SHARED_DIR,
default ../shared beside the repo) is absent, only the demo part is built and measured, and the output
says so. The test half is evidence: the fusion was chosen on the tune half only (eval/relevance/README.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import tempfile
from collections import defaultdict
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval.relevance import (  # noqa: E402
    K, QUERY_SET, Judged, load_queries, mean_figures, scores_for,
)
from scout import pipeline  # noqa: E402
from scout.cli import demo_organisations  # noqa: E402
from scout.settings import Settings, load_settings  # noqa: E402

SHARED_DIR_VARIABLE = "SCOUT_SHARED_DIR"
BOLTS_SITE = ("sites", "bolts-cu-boulder")
MODES = ("bm25", "vectors", "hybrid")
# Deep enough for every page of the real site: its publication lists are paginated.
CRAWL_DEPTH = 50
CRAWL_PAGES = 5000


def shared_dir() -> Path:
    return Path(os.environ.get(SHARED_DIR_VARIABLE) or REPO.parent / "shared")


# -- the corpus ----------------------------------------------------------------------------------------------


def build_corpus(data_dir: Path, bolts_folder: Path | None) -> Settings:
    """The demo sites and, where present, the real site, crawled, processed and indexed into data_dir."""
    from scout.demo_site import DemoSites
    from tests.loopback import serve_directory

    settings = load_settings(data_dir).replace(download_delay=0.0, autothrottle=False, max_depth=CRAWL_DEPTH,
                                               max_pages_per_organisation=CRAWL_PAGES)
    data_dir.mkdir(parents=True, exist_ok=True)
    # One crawl for both: Scrapy's reactor runs once per process.
    with DemoSites() as sites, ExitStack() as stack:
        organisations = demo_organisations(sites.organisations)
        if bolts_folder is not None:
            site = stack.enter_context(serve_directory(bolts_folder))
            organisations.append(pipeline.adhoc_organisation(site.base_url + "/"))
        run = pipeline.crawl(settings, organisations)
    if run["status"] != "finished":
        raise SystemExit(f"crawl failed: {run}")
    pipeline.process(settings)
    pipeline.index(settings)
    return settings


def page_keys(database_path: Path) -> dict[int, tuple[str, str]]:
    """(corpus, key) of every indexed page: the key the judged queries name it by, stable across crawls.

    Ports change per crawl, so a URL's host is replaced: a demo page is "{site:<demo organisation>}/path"
    (the demo's own placeholder for a site's base URL), a page of the real site is its URL path. A trailing
    "index.html" is dropped, since the crawler may store either spelling of a folder's page.
    """
    with closing(sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)) as database:
        rows = database.execute(
            "SELECT id, url, organisation_id FROM pages WHERE indexed_at IS NOT NULL").fetchall()
    keys = {}
    for page_id, url, organisation_id in rows:
        path = normal_path(urlsplit(url).path)
        if organisation_id and organisation_id.startswith("demo-"):
            keys[page_id] = ("demo", f"{{site:{organisation_id}}}{path}")
        else:
            keys[page_id] = ("bolts", path)
    return keys


def normal_path(path: str) -> str:
    path = unquote(path) or "/"
    return path[: -len("index.html")] if path.endswith("/index.html") else path


# -- searching ------------------------------------------------------------------------------------------------


def ranker(settings: Settings) -> Callable[[str, str], list[int]]:
    """rank(query, mode) -> page ids best first, at most K: the search service the CLI, UI and API use.

    Queries are in Scout's query language (filters such as country:US included), validated like a request.
    """
    from retrieval.requests import parse_search_request
    from retrieval.service import Searcher

    searcher = Searcher(settings.index_dir, settings.database_path)

    def rank(query: str, mode: str) -> list[int]:
        request = parse_search_request({"q": [query], "mode": [mode], "limit": [str(K)]}, last_crawl=None)
        return [hit.page_id for hit in searcher.search(request).hits]

    return rank


# -- measuring ------------------------------------------------------------------------------------------------


def measure(queries: list[Judged], rank: Callable[[str, str], list[int]], keys: dict[int, tuple[str, str]],
            corpora: set[str]) -> dict:
    """Per mode: the mean figures, per kind, and each query's top keys and scores."""
    report: dict = {}
    for mode in MODES:
        per_query, per_kind = [], defaultdict(list)
        for judged in queries:
            relevant = {key: grade for key, grade in judged.relevant.items() if corpus_of(key) in corpora}
            ranked = [keys[page_id][1] for page_id in rank(judged.query, mode) if page_id in keys]
            scores = scores_for(ranked, relevant)
            per_query.append({"id": judged.id, "query": judged.query, "kind": judged.kind, "top": ranked[:3],
                              **{name: round(value, 3) for name, value in scores.items()}})
            per_kind[judged.kind].append(scores)
        report[mode] = {"all": mean_figures([{k: q[k] for k in MEASURES} for q in per_query]),
                        "kinds": {kind: mean_figures(scores) for kind, scores in sorted(per_kind.items())},
                        "queries": per_query}
    return report


def corpus_of(key: str) -> str:
    return "demo" if key.startswith("{site:") else "bolts"


MEASURES = ("mrr", f"recall@{K}", f"ndcg@{K}")


def missing_judged(queries: Iterable[Judged], keys: dict[int, tuple[str, str]], corpora: set[str]) -> list[str]:
    """Judged pages the index does not hold (not crawled, or folded into another page as a duplicate)."""
    indexed = {key for _, key in keys.values()}
    return sorted({key for judged in queries for key in judged.relevant
                   if corpus_of(key) in corpora and key not in indexed})


def print_table(title: str, report: dict) -> None:
    print(f"\n{title}")
    print(f"{'mode':<8} {'queries':>7} " + " ".join(f"{name:>9}" for name in MEASURES))
    for mode, figures in report.items():
        row = figures["all"]
        print(f"{mode:<8} {row['queries']:>7} " + " ".join(f"{row[name]:>9.3f}" for name in MEASURES))
    kinds = next(iter(report.values()))["kinds"]
    print(f"  nDCG@{K} per kind: " + "  ".join(f"{kind}" for kind in kinds))
    for mode, figures in report.items():
        print(f"  {mode:<8} " + "  ".join(f"{figures['kinds'][kind][f'ndcg@{K}']:>{len(kind)}.3f}" for kind in kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="build here, or reuse when it already holds a store")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--queries", action="store_true", help="also print each query's figures and top pages")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings of the site's PDFs, not ours to fix
    bolts_folder = shared_dir().joinpath(*BOLTS_SITE)
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = args.data_dir or Path(temporary)
        settings = load_settings(data_dir)
        if not settings.database_path.is_file():
            settings = build_corpus(data_dir, bolts_folder if bolts_folder.is_dir() else None)
        keys = page_keys(settings.database_path)
        corpora = {corpus for corpus, _ in keys.values()}
        halves = {half: [q for q in load_queries(QUERY_SET / f"{half}.jsonl") if q.corpus in corpora]
                  for half in ("tune", "test")}
        rank = ranker(settings)
        reports = {half: measure(queries, rank, keys, corpora) for half, queries in halves.items()}
    output = {"corpora": sorted(corpora), "pages": len(keys),
              "missing_judged_pages": missing_judged([q for qs in halves.values() for q in qs], keys, corpora),
              "halves": reports}
    if args.json:
        print(json.dumps(output, indent=2, ensure_ascii=False))
        return
    if "bolts" not in corpora:
        print(f"{bolts_folder} is absent: only the demo corpus is measured")
    print(f"{len(keys)} indexed pages ({', '.join(sorted(corpora))}); "
          f"judged pages not in the index: {', '.join(output['missing_judged_pages']) or 'none'}")
    for half, report in reports.items():
        if args.queries:
            for mode, figures in report.items():
                for q in figures["queries"]:
                    print(f"{half} {mode:<7} {q['id']} {q['kind']:<14} nDCG {q[f'ndcg@{K}']:.2f} "
                          f"{q['query'][:40]!r:<44} {q['top']}")
        print_table("TUNE half (fusion choices were made here)" if half == "tune"
                    else "TEST half (frozen; evidence)", report)


if __name__ == "__main__":
    main()
