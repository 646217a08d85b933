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
