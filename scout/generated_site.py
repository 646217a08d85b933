"""Synthetic websites on loopback, for benchmarks and crawl tests: many pages, predictable links.

Each site is its own port. Page bodies are deterministic, carry an ETag and answer conditional requests
with 304, so re-crawls can be measured; a site can offer a sitemap with <lastmod> dates, and pages can be
changed between crawls; an optional per-request delay makes crawls slow enough to interrupt in tests.
"""

from __future__ import annotations

import hashlib
import re
import time
from http.server import BaseHTTPRequestHandler

from scout.loopback import LoopbackServer

WORDS = ("photonics laser optical coherence tomography retina imaging clinic fibre diode module microscopy "
         "fluorescence endoscope probe wavelength pulse therapy tissue sensor spectroscopy system").split()
LINKS_PER_PAGE = 8
PAGE_PATH = re.compile(r"/(?:p/(\d+)\.html)?")


def page_html(site: int, page: int, pages_per_site: int) -> bytes:
    words = " ".join(WORDS[(site * 7 + page * 13 + i * (page % 5 + 1)) % len(WORDS)] for i in range(400))
    targets = {(page * 3 + k * 17 + 1) % pages_per_site for k in range(LINKS_PER_PAGE)}
    links = "".join(f'<li><a href="/p/{target}.html">Page {target}</a></li>' for target in sorted(targets))
    return (f"<html><head><title>Site {site} page {page}</title></head><body><nav><ul>{links}</ul></nav>"
            f"<main><h1>Site {site} page {page}</h1><p>{words}</p></main></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "GeneratedSite"

    def do_GET(self) -> None:
        site = self.server
        site.requests += 1
        if site.delay:
            time.sleep(site.delay)
        if self.path == "/sitemap.xml" and site.sitemap_lastmod:
            return self._send(200, site.sitemap(), content_type="application/xml")
        match = PAGE_PATH.fullmatch(self.path)
        page = int(match.group(1) or 0) if match else -1
        if not 0 <= page < site.pages:
            return self._send(404, b"not found")
        body = page_html(site.number, page, site.pages)
        if page in site.changed:
            body = body.replace(b"</main>", b"<p>Updated: a new application note.</p></main>")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            site.not_modified += 1
            return self._send(304, b"", etag)
        self._send(200, body, etag)

    def _send(self, status: int, body: bytes, etag: str | None = None, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # a line per request would drown any output
        pass


class GeneratedSite(LoopbackServer):
    def __init__(self, number: int = 0, pages: int = 100, delay: float = 0.0, host: str = "127.0.0.1",
                 sitemap_lastmod: str | None = None):
        super().__init__(_Handler, host)
        self.number, self.pages, self.delay = number, pages, delay
        self.sitemap_lastmod = sitemap_lastmod  # W3C date of every page in /sitemap.xml; None: no sitemap
        self.changed: dict[int, str] = {}  # page -> lastmod of its change
        self.requests = self.not_modified = 0

    def change(self, page: int, lastmod: str) -> None:
        """Give a page new text, dated `lastmod` in the sitemap."""
        self.changed[page] = lastmod

    def sitemap(self) -> bytes:
        entries = "".join(
            f"<url><loc>{self.url}p/{page}.html</loc><lastmod>{self.changed.get(page, self.sitemap_lastmod)}"
            "</lastmod></url>" for page in range(self.pages))
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()

    @property
    def url(self) -> str:
        return self.base_url + "/"
