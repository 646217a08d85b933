"""Run one crawl of a set of organisations into the store, with Scrapy in this process."""

from __future__ import annotations

import logging
from typing import Any, Iterable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawlers.spider import CrawlTarget, OrganisationSpider
from scout.settings import Settings
from store import Store

log = logging.getLogger(__name__)


def scrapy_settings(settings: Settings, run_id: int) -> ScrapySettings:
    return ScrapySettings(
        {
            "BOT_NAME": "scout",
            "USER_AGENT": settings.resolved_user_agent,
            "ROBOTSTXT_OBEY": settings.obey_robots_txt,
            "DOWNLOAD_DELAY": settings.download_delay,
            "AUTOTHROTTLE_ENABLED": settings.autothrottle,
            "AUTOTHROTTLE_START_DELAY": max(settings.download_delay, 0.1),
            "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_requests_per_domain,
            "DEPTH_LIMIT": settings.max_depth,
            # Breadth-first: a page is reached first by its shortest path, so the depth limit cuts consistently.
            "DEPTH_PRIORITY": 1,
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "DOWNLOAD_MAXSIZE": settings.max_response_bytes,
            "DOWNLOAD_WARNSIZE": 0,
            "URLLENGTH_LIMIT": settings.max_url_length,
            "DOWNLOAD_TIMEOUT": settings.download_timeout,
            "RETRY_TIMES": 1,
            # Each callback output is handled by CONCURRENT_ITEMS asyncio workers; a page yields one item, so
            # the default 100 only adds task churn (measured: ~25% of a re-crawl's time).
            "CONCURRENT_ITEMS": 8,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "LOG_INSTALL_ROOT_HANDLER": False,  # the CLI configures logging
            "ITEM_PIPELINES": {"crawlers.pipelines.StorePipeline": 300},
            "DOWNLOADER_MIDDLEWARES": {
                # After Scrapy's OffsiteMiddleware (50), before robots.txt (100): no robots.txt fetch off-site.
                "crawlers.middlewares.StayOnSiteMiddleware": 60,
                # Responses pass middlewares in descending order: this sees a redirect before RedirectMiddleware.
                "crawlers.middlewares.RedirectLoopMiddleware": 610,
            },
            # A cached copy would answer our conditional requests itself; the store is the only cache.
            "HTTPCACHE_ENABLED": False,
            # CrawlProgress draws a live progress line on stderr, only when it is a terminal.
            "EXTENSIONS": {"crawlers.frontier.FrontierRecorder": 500, "crawlers.progress.CrawlProgress": 510},
            "SCOUT_DATABASE_PATH": str(settings.database_path),
            "SCOUT_RUN_ID": run_id,
        }
    )


def run_crawl(settings: Settings, targets: Iterable[CrawlTarget]) -> dict[str, Any]:
    """Crawl every target once; returns the crawl run's record with its counters.

    A run over the same targets that was killed or interrupted is resumed from its frontier instead of
    starting again: what it stored stays, and only what it had not fetched yet is fetched.
    """
    targets = list(targets)
    target_ids = [target.id for target in targets]
    with Store.open(settings.database_path) as store:
        validators = store.validators_for(target_ids)
        fetched_at = store.fetch_times_for(target_ids)
        run_id = store.interrupted_run(target_ids)
        if run_id is None:
            run_id = store.start_crawl_run(target_ids)
            pending, seen = [], set()
        else:
            pending, seen = store.frontier(run_id)
            log.warning("resuming interrupted crawl %d: %d of %d scheduled URLs still to fetch",
                        run_id, len(pending), len(seen))
    status = "failed"
    try:
        process = CrawlerProcess(scrapy_settings(settings, run_id))
        crawler = process.create_crawler(OrganisationSpider)
        process.crawl(
            crawler,
            targets=targets,
            max_pages_per_organisation=settings.max_pages_per_organisation,
            max_url_length=settings.max_url_length,
            validators=validators,
            fetched_at=fetched_at,
            resume_pending=pending,
            resume_seen=seen,
        )
        process.start()
        finish_reason = crawler.stats.get_value("finish_reason")
        # Ctrl+C or SIGTERM stop Scrapy gracefully but early: such a run is resumed like a killed one.
        status = "finished" if finish_reason == "finished" else "interrupted"
    finally:
        with Store.open(settings.database_path) as store:
            store.finish_crawl_run(run_id, status)
            if status == "finished":
                store.clear_frontier(run_id)
            run = store.crawl_run(run_id)
    return run
