"""A one-line crawl progress display for people watching a terminal.

Every ~2 s it redraws one line on stderr: pages done, pages/s, errors, robots.txt blocks, queued
requests. It stays silent when stderr is not a terminal (cron, systemd, CI logs) or when
``SCOUT_PROGRESS=0`` is set, so logs never fill with carriage returns.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 2.0
OFF_VALUES = {"0", "false", "no", "off"}
# What the store pipeline counts per outcome (crawlers/pipelines.py); "blocked" is not a fetched page.
PAGE_OUTCOMES = ("new", "changed", "unchanged", "gone", "failed")
CLEAR_TO_END_OF_LINE = "\x1b[K"


@dataclass(frozen=True)
class Progress:
    pages: int
    errors: int
    robots_blocked: int
    queued: int


def progress_wanted(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Draw only for a person at a capable terminal, unless SCOUT_PROGRESS turns it off."""
    if environ.get("SCOUT_PROGRESS", "").strip().lower() in OFF_VALUES:
        return False
    if environ.get("TERM") == "dumb":  # cannot clear a line
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def format_progress(progress: Progress, pages_per_second: float) -> str:
    return (
        f"crawling: {progress.pages} pages, {pages_per_second:.1f} pages/s, {progress.errors} errors, "
        f"{progress.robots_blocked} robots.txt blocks, {progress.queued} queued"
    )


def progress_from_stats(stats: Mapping[str, Any], queued: int) -> Progress:
    return Progress(
        pages=sum(stats.get(f"scout/pages/{outcome}", 0) for outcome in PAGE_OUTCOMES),
        errors=stats.get("scout/pages/failed", 0),
        robots_blocked=stats.get("robotstxt/forbidden", 0),
        queued=queued,
    )


class ProgressLine:
    """Redraws one terminal line in place; the cursor is left at its start so a log line overwrites it."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.clock = clock
        self.last_pages = 0
        self.last_time = clock()

    def draw(self, progress: Progress) -> str:
        now = self.clock()
        elapsed = now - self.last_time
        rate = (progress.pages - self.last_pages) / elapsed if elapsed > 0 else 0.0
        self.last_pages, self.last_time = progress.pages, now
        text = format_progress(progress, rate)
        self.stream.write(f"\r{text}{CLEAR_TO_END_OF_LINE}\r")
        self.stream.flush()
        return text

    def clear(self) -> None:
        self.stream.write(f"\r{CLEAR_TO_END_OF_LINE}")
        self.stream.flush()


class CrawlProgress:
    """Scrapy extension; enabled in crawlers/runner.py's EXTENSIONS, inert unless stderr is a terminal."""

    def __init__(self, crawler: Any, line: ProgressLine, interval: float):
        self.crawler = crawler
        self.line = line
        self.interval = interval
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlProgress":
        stream = sys.stderr
        if not progress_wanted(stream, os.environ):
            # Without arguments: Scrapy logs a NotConfigured's message as a warning, which is the noise this avoids.
            log.debug("no progress line: stderr is not a terminal, or SCOUT_PROGRESS is off")
            raise NotConfigured()
        interval = crawler.settings.getfloat("SCOUT_PROGRESS_INTERVAL", DEFAULT_INTERVAL_SECONDS)
        extension = cls(crawler, ProgressLine(stream), interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        self.task = _looping_call(self.tick)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.line.clear()  # the CLI prints its own summary when the crawl ends

    def tick(self) -> None:
        self.line.draw(progress_from_stats(self.crawler.stats.get_stats(), self._queued()))

    def _queued(self) -> int:
        """Requests not yet answered: in the scheduler, plus those the downloader holds back for the delay."""
        try:
            # Before the crawl starts, Scrapy 2.19 raises on crawler.engine and older versions give None.
            engine = self.crawler.engine
            scheduler = getattr(engine, "scheduler", None)
            downloader = getattr(engine, "downloader", None)
            return (len(scheduler) if scheduler is not None else 0) + len(getattr(downloader, "active", ()))
        except (RuntimeError, TypeError):  # not started yet, or a custom scheduler without a length
            return 0


def _looping_call(function: Callable[[], None]) -> Any:
    try:  # Scrapy 2.13+: works with the asyncio reactor and without it
        from scrapy.utils.asyncio import create_looping_call
    except ImportError:
        from twisted.internet.task import LoopingCall

        return LoopingCall(function)
    return create_looping_call(function)
