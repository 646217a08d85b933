"""Run one crawl of a set of organisations into the store, with Scrapy in this process."""

from __future__ import annotations

import contextlib
import logging
import signal
from typing import Any, Iterable, Iterator

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawlers.spider import CrawlTarget, OrganisationSpider
from scout.settings import Settings
from store import Store

log = logging.getLogger(__name__)

# Scrapy logs every download that failed (refused, timed out, DNS) as an ERROR with a traceback. The store
# records each one against its page and the run, and the CLI reports the run; so they are details (-v).
DOWNLOAD_ERROR_LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt",
                          "scrapy.core.scraper")
SHUTDOWN_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name))


class DemoteToInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


def demote_download_errors() -> None:
    for name in DOWNLOAD_ERROR_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, DemoteToInfo) for existing in logger.filters):
            logger.addFilter(DemoteToInfo())


@contextlib.contextmanager
def own_signal_handlers() -> Iterator[None]:
    """Scrapy installs its shutdown handlers for the crawl and leaves them behind, pointing at a reactor
    that has stopped: whatever runs next in this process (the demo's server) could not be stopped with
    Ctrl+C or SIGTERM. Puts back the handlers that were there before."""
    previous = {number: signal.getsignal(number) for number in SHUTDOWN_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


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
    demote_download_errors()
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
        with own_signal_handlers():
            process.start()
        finish_reason = crawler.stats.get_value("finish_reason")
        # Ctrl+C or SIGTERM stop Scrapy gracefully but early: such a run is resumed like a killed one.
        status = "finished" if finish_reason == "finished" else "interrupted"
    finally:
        with Store.open(settings.database_path) as store:
            unreachable = unreachable_targets(targets, store.organisation_run_counts(run_id))
            if status == "finished" and unreachable is not None:
                status = "failed"
            store.finish_crawl_run(run_id, status)
            if status != "interrupted":
                store.clear_frontier(run_id)
            run = store.crawl_run(run_id)
    if unreachable:
        run["reason"] = "no start URL could be fetched: " + "; ".join(unreachable)
    return run


def unreachable_targets(targets: list[CrawlTarget], counts: dict[str, dict[str, Any]]) -> list[str] | None:
    """Each target's start URLs with the error that stopped them, when not one target got any response;
    None when something was fetched (or nothing was tried, as when a resumed run had nothing left)."""
    if any(row["fetched"] for row in counts.values()) or not any(row["failed"] for row in counts.values()):
        return None
    return [f"{', '.join(target.start_urls)} ({short_error(counts.get(target.id, {}).get('last_error'))})"
            for target in targets]


# The stored error starts with the exception's name (see OrganisationSpider.fetch_failed).
PLAIN_ERRORS = {"DownloadConnectionRefusedError": "connection refused", "CannotResolveHostError": "host not found",
                "DownloadTimeoutError": "timed out", "DownloadFailedError": "connection lost"}


def short_error(error: str | None) -> str:
    """A stored fetch error in a few words: the common network failures by name, others as stored."""
    if not error:
        return "no response"
    return PLAIN_ERRORS.get(error.split(":", 1)[0], error)
