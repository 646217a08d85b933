"""`scout crawl --url` against real, already-built websites (../shared/sites), served on 127.0.0.1.

What the crawler stored is compared with an independent breadth-first walk over the served files: every HTML
page reachable by same-host links must be stored exactly once, and nothing off the host may be requested
(an HTTP proxy in the environment, which only off-host requests would use, records any attempt).
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from crawlers.urls import dedup_key
from tests.conftest import run_scout, scout_env, shared_folder_params
from tests.loopback import LoopbackServer, serve_directory

HTML_SUFFIXES = (".html", ".htm")
NOT_FOLLOWED_SCHEMES = ("mailto:", "tel:", "whatsapp:", "javascript:", "data:")


class RecordingProxyHandler(BaseHTTPRequestHandler):
    """Refuses every request, after noting it: the crawl must never get here."""

    server: "RecordingProxy"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def refuse(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_error(502, "off-host request refused by the test proxy")

    do_GET = do_HEAD = do_POST = do_CONNECT = refuse


class RecordingProxy(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(RecordingProxyHandler)
        self.requests: list[str] = []


# -- the independent walk ---------------------------------------------------------------------------------


def served_file(root: Path, url_path: str) -> Path | None:
    """The file http.server sends for a URL path (a folder means its index.html), or None for a 404."""
    target = root / unquote(url_path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def same_host_links(html: bytes, page_path: str) -> Iterator[str]:
    """URL paths of the root-relative and relative links of a page; absolute URLs lead off-host."""
    for anchor in BeautifulSoup(html, "lxml").find_all(["a", "area"], href=True):
        href = anchor["href"].strip()
        if not href or href.startswith("#") or href.lower().startswith(NOT_FOLLOWED_SCHEMES):
            continue
        if urlsplit(href).scheme or href.startswith("//"):
            continue
        yield urlsplit(urljoin(page_path, href)).path


def reachable_html_pages(root: Path) -> set[str]:
    """URL paths of the HTML pages reachable from / by same-host links, one spelling per page."""
    reached: dict[Path, str] = {}
    queue = deque(["/"])
    while queue:
        url_path = queue.popleft()
        target = served_file(root, url_path)
        if target is None or target in reached or target.suffix not in HTML_SUFFIXES:
            continue
        reached[target] = url_path
        queue.extend(same_host_links(target.read_bytes(), url_path))
    return set(reached.values())


# -- the test -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", shared_folder_params("sites"))
def test_crawl_stores_every_reachable_page_once_and_stays_on_host(folder: Path, tmp_path: Path):
    with serve_directory(folder) as site, RecordingProxy() as proxy:
        base_url, proxy_url = site.base_url, proxy.base_url
        env = scout_env(SCOUT_MAX_DEPTH="50", SCOUT_MAX_PAGES_PER_ORGANISATION="5000",
                        http_proxy=proxy_url, https_proxy=proxy_url, no_proxy="127.0.0.1")
        started = time.monotonic()
        run_scout("crawl", "--data-dir", str(tmp_path), "--url", base_url + "/", env=env, timeout=600)
        crawl_seconds = time.monotonic() - started

    database = sqlite3.connect(tmp_path / "scout.sqlite3")
    rows = database.execute("SELECT url, final_url, content_type FROM pages WHERE error IS NULL").fetchall()
    database.close()

    assert proxy.requests == [], "off-host requests were attempted"
    assert all(url.startswith(base_url + "/") and final.startswith(base_url + "/") for url, final, _ in rows)

    stored_html = [dedup_key(url) for url, _, content_type in rows if content_type == "text/html"]
    expected = {dedup_key(base_url + path) for path in reachable_html_pages(folder)}
    duplicates = sorted({key for key in stored_html if stored_html.count(key) > 1})
    assert duplicates == [], "pages stored more than once"
    assert sorted(expected - set(stored_html)) == [], "reachable pages not stored"
    assert sorted(set(stored_html) - expected) == [], "pages stored that links do not reach"
    print(f"{folder.name}: {len(stored_html)} HTML pages, {len(rows) - len(stored_html)} other, "
          f"crawled in {crawl_seconds:.0f} s")
