"""The jobs the CLI fronts, as plain functions: crawl → process → index."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Iterable

from scout.registry import Organisation, host_key
from scout.settings import Settings
from store import Store

log = logging.getLogger(__name__)


def adhoc_organisation(url: str) -> Organisation:
    """An organisation for a site crawled by URL alone: confined to that URL's host."""
    host = host_key(url)
    if host is None or not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    slug = "".join(ch if ch.isalnum() else "-" for ch in host.lower()).strip("-")
    return Organisation(
        id=f"site-{slug}", name=host, country="", market="", type="", website=url, start_urls=(url,),
        allowed_hosts=(host,), include=(), exclude=(), languages=(), roles=(), source="scout crawl --url",
        notes=None,
    )


def crawl(settings: Settings, organisations: Iterable[Organisation]) -> dict[str, Any]:
    from crawlers.runner import run_crawl  # Scrapy and Twisted load only for crawling

    organisations = list(organisations)
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(asdict(org) for org in organisations)
    crawlable = [org for org in organisations if org.crawlable]
    for org in organisations:
        if not org.crawlable:
            log.warning("%s has no website in the registry: not crawled", org.id)
    return run_crawl(settings, crawlable)


def process(settings: Settings, reanalyse: bool = False):
    """Process new and changed pages (every page with `reanalyse`), then settle which pages duplicate others;
    returns (report, duplicates)."""
    from indexer.analysis.dedupe import mark_duplicates
    from indexer.analysis.process import process_pending

    with Store.open(settings.database_path) as store:
        report = process_pending(store, reanalyse=reanalyse)
        return report, mark_duplicates(store)


def index(settings: Settings, rebuild: bool = False, embeddings: bool = True, batch_pages: int | None = None) -> int:
    """Brings the search index up to date (or rebuilds it aside and swaps it in); returns pages indexed."""
    from indexer.index.build import BATCH_PAGES, build_index

    with Store.open(settings.database_path) as store:
        return build_index(store, settings.index_dir, settings.search_backend, rebuild=rebuild,
                           embeddings=embeddings, batch_pages=batch_pages or BATCH_PAGES)


def stats(settings: Settings) -> dict[str, Any]:
    from indexer.index.build import indexed_page_count

    with Store.open(settings.database_path) as store:
        counts = store.stats()
        last = store.last_crawl_run()
    return {
        "organisations": counts["organisations"],
        "pages": counts["pages"],
        "duplicate_pages": counts["duplicate_pages"],
        "processed_pages": counts["processed_pages"],
        "tagged_pages": counts["tagged_pages"],
        "indexed_documents": indexed_page_count(settings.index_dir),
        "last_crawl": None if last is None else {
            "started": last["started_at"], "finished": last["finished_at"], "status": last["status"],
            **{name: last[name] for name in ("fetched", "new", "changed", "unchanged", "gone", "failed")},
        },
    }


def discover(settings: Settings):
    """Candidate organisations from the listings of every page crawled so far (scout.discovery)."""
    from scout.discovery import discover as discover_candidates
    from scout.registry import load_registry_for

    registry = load_registry_for(settings.data_dir)
    with Store.open(settings.database_path) as store:
        return discover_candidates(store, registry)
