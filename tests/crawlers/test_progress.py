"""The crawl progress line: its text, when it draws (terminals only), and the extension's wiring."""

from __future__ import annotations

import io
import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawlers.progress import (
    CLEAR_TO_END_OF_LINE,
    CrawlProgress,
    Progress,
    ProgressLine,
    format_progress,
    progress_from_stats,
    progress_wanted,
)
from crawlers.runner import scrapy_settings
from scout.settings import load_settings


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_format_progress_names_every_figure():
    text = format_progress(Progress(pages=120, errors=3, robots_blocked=2, queued=45), 4.25)
    assert text == "crawling: 120 pages, 4.2 pages/s, 3 errors, 2 robots.txt blocks, 45 queued"


def test_progress_from_stats_counts_what_the_store_pipeline_recorded():
    stats = {"scout/pages/new": 5, "scout/pages/changed": 2, "scout/pages/unchanged": 10, "scout/pages/gone": 1,
             "scout/pages/failed": 3, "scout/pages/blocked": 4, "robotstxt/forbidden": 4,
             "response_received_count": 99}  # robots.txt and sitemap responses are not pages
    assert progress_from_stats(stats, queued=7) == Progress(pages=21, errors=3, robots_blocked=4, queued=7)


def test_progress_from_empty_stats_is_all_zero():
    assert progress_from_stats({}, queued=0) == Progress(0, 0, 0, 0)


@pytest.mark.parametrize("stream, environ, wanted", [
    (FakeTerminal(), {}, True),
    (io.StringIO(), {}, False),  # a pipe or a log file: CI output stays clean
    (FakeTerminal(), {"SCOUT_PROGRESS": "0"}, False),
    (FakeTerminal(), {"SCOUT_PROGRESS": "off"}, False),
    (FakeTerminal(), {"SCOUT_PROGRESS": "1"}, True),
    (FakeTerminal(), {"TERM": "dumb"}, False),
    (object(), {}, False),  # no isatty at all
])
def test_progress_is_drawn_only_on_a_terminal_unless_turned_off(stream, environ, wanted):
    assert progress_wanted(stream, environ) is wanted


def test_progress_line_redraws_in_place_with_the_rate_since_the_last_draw():
    terminal, clock = FakeTerminal(), FakeClock()
    line = ProgressLine(terminal, clock)
    clock.now += 2
    assert line.draw(Progress(10, 0, 0, 5)).startswith("crawling: 10 pages, 5.0 pages/s")
    clock.now += 2
    assert "3.0 pages/s" in line.draw(Progress(16, 1, 0, 2))
    written = terminal.getvalue()
    assert "\n" not in written  # one line, rewritten
    assert written.count("\r") == 4 and written.count(CLEAR_TO_END_OF_LINE) == 2


def test_progress_line_clear_erases_it():
    terminal = FakeTerminal()
    ProgressLine(terminal).clear()
    assert terminal.getvalue() == "\r" + CLEAR_TO_END_OF_LINE


def test_extension_is_not_configured_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with pytest.raises(NotConfigured) as not_configured:
        CrawlProgress.from_crawler(get_crawler())
    assert not not_configured.value.args  # Scrapy would log a message as a "Disabled ..." warning


def test_extension_draws_from_crawler_stats_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("SCOUT_PROGRESS", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    crawler = get_crawler()
    crawler.stats.set_value("scout/pages/new", 3)
    crawler.stats.set_value("robotstxt/forbidden", 1)
    extension = CrawlProgress.from_crawler(crawler)
    extension.tick()  # before the engine starts there is no scheduler: queued counts as 0
    assert "crawling: 3 pages" in terminal.getvalue() and "1 robots.txt blocks, 0 queued" in terminal.getvalue()
    extension.spider_closed()
    assert terminal.getvalue().endswith("\r" + CLEAR_TO_END_OF_LINE)


def test_runner_registers_the_extension(tmp_path):
    extensions = scrapy_settings(load_settings(tmp_path, environ={}), run_id=1).getdict("EXTENSIONS")
    assert "crawlers.progress.CrawlProgress" in extensions
