"""A hostile little website on 127.0.0.1 for crawl tests: every trap a real crawler meets, on one port.

The server records what it saw (conditional requests, 304s sent, bytes sent of big bodies, whether a client
hung up early) so tests can check politeness and bounds from the server's side.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Self
from urllib.parse import parse_qs, urlsplit

from tests.loopback import LoopbackServer

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
HUGE_BYTES = 50 * 1024 * 1024
IMAGE_BYTES = 5 * 1024 * 1024
SLOW_SECONDS = 6
STABLE_LAST_MODIFIED = "Mon, 02 Mar 2026 10:00:00 GMT"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p>
{links}
</body></html>"""


@dataclass
class Observations:
    """What the server saw; read by tests, written by handler threads (under the lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    paths: list[str] = field(default_factory=list)
    if_none_match_seen: int = 0
    not_modified_sent: int = 0
    bytes_sent: dict[str, int] = field(default_factory=dict)
    completed: set[str] = field(default_factory=set)  # big bodies the client read to the end
    hung_up: set[str] = field(default_factory=set)  # big bodies the client abandoned

    def count(self, counter: str) -> None:
        with self.lock:
            setattr(self, counter, getattr(self, counter) + 1)


def page(title: str, text: str, links: list[str] = ()) -> bytes:
    anchors = "\n".join(f'<a href="{href}">{href}</a>' for href in links)
    return PAGE.format(title=title, text=text, links=anchors).encode("utf-8")


class NeighbourHandler(BaseHTTPRequestHandler):
    """Another site on the same host name, another port: the crawl of the trap site must never come here."""

    server: "NeighbourSite"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("neighbour: %s", format % args)

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_error(404)


class NeighbourSite(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(NeighbourHandler)
        self.paths: list[str] = []


class TrapSite(LoopbackServer):
    """Serves its neighbour too while started."""

    def __init__(self) -> None:
        super().__init__(TrapHandler)
        self.seen = Observations()
        self.neighbour = NeighbourSite()  # where the off-site redirects lead
        self.changing_version = 1  # bump between crawls: /changing then serves different content

    def start(self, name: str | None = None) -> Self:
        self.neighbour.start()
        return super().start(name)

    def stop(self) -> None:
        super().stop()
        self.neighbour.stop()

    def organisation(self) -> dict[str, Any]:
        """The site as a registry-like record for tests.conftest.crawl_records."""
        return {"id": "trap-site", "name": "Trap Site (test fixture)", "country": "US", "market": "usa",
                "type": "company", "website": self.base_url + "/", "start_urls": [self.base_url + "/"],
                "languages": ["en"]}


HOME_LINKS = [
    f"/calendar?year={date.today().year}&month=6",
    "/shop;jsessionid=S0?sid=S0",
    "/article?utm_source=newsletter&utm_medium=email",
    "/article?gclid=abc123",
    "/article?fbclid=xyz&utm_campaign=spring",
    "/article",
    "/loop/a",
    "/error/1",
    "/error/2",
    "/slow",
    "/huge",
    "/malformed",
    "/latin1-declared-utf8",
    "/utf8-declared-latin1",
    "/a/",
    "/media/hero",
    "/private/secret",
    "/changing",
    "/stable/1",
    "/stable/2",
    "/moved-away",
    "/refresh-away",
]


class TrapHandler(BaseHTTPRequestHandler):
    server: TrapSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.server.seen.lock:
            self.server.seen.paths.append(self.path)
        if self.headers.get("If-None-Match"):
            self.server.seen.count("if_none_match_seen")
        handler = self._route(parts.path)
        handler(parts.path, parse_qs(parts.query))

    def _route(self, path: str) -> Callable[[str, dict[str, list[str]]], None]:
        exact = {
            "/": self.home, "/robots.txt": self.robots, "/calendar": self.calendar, "/article": self.article,
            "/slow": self.slow, "/huge": self.huge, "/malformed": self.malformed,
            "/latin1-declared-utf8": self.latin1_declared_utf8, "/utf8-declared-latin1": self.utf8_declared_latin1,
            "/media/hero": self.image, "/private/secret": self.private, "/changing": self.changing,
            "/moved-away": self.moved_away, "/refresh-away": self.refresh_away,
        }
        if path in exact:
            return exact[path]
        prefixes = (("/shop", self.shop), ("/loop/", self.redirect_loop), ("/error/", self.server_error),
                    ("/a/", self.repeated_segment), ("/stable/", self.stable))
        return next((handler for prefix, handler in prefixes if path.startswith(prefix)), self.not_found)

    # -- responses -------------------------------------------------------------------------------------

    def send_body(self, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
                  headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_validated(self, body: bytes, etag: str) -> None:
        """Serve with ETag and Last-Modified; answer 304 to a request that already has this version."""
        if self.headers.get("If-None-Match") == etag:
            self.server.seen.count("not_modified_sent")
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_body(body, headers={"ETag": etag, "Last-Modified": STABLE_LAST_MODIFIED})

    def stream(self, name: str, total: int, content_type: str, declare_length: bool, pause: float = 0) -> None:
        """Send ``total`` bytes in chunks, noting how many went out and whether the client hung up first."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if declare_length:
            self.send_header("Content-Length", str(total))
        else:  # no length: the body ends when the connection closes, so only counting can stop it
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        time.sleep(pause)  # lets a client that decides on headers alone hang up before the body starts
        sent = 0
        try:
            while sent < total:
                chunk = b"\xff" * min(CHUNK, total - sent)
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            with self.server.seen.lock:
                self.server.seen.hung_up.add(name)
        else:
            with self.server.seen.lock:
                self.server.seen.completed.add(name)
        finally:
            with self.server.seen.lock:
                self.server.seen.bytes_sent[name] = sent
        self.close_connection = True

    # -- pages ------------------------------------------------------------------------------------------

    def home(self, path: str, query: dict) -> None:
        self.send_validated(page("Trap site", "A site full of crawler traps (test fixture).", HOME_LINKS),
                            etag='"home-v1"')

    def robots(self, path: str, query: dict) -> None:
        self.send_body(b"User-agent: *\nDisallow: /private/\n", "text/plain")

    def calendar(self, path: str, query: dict) -> None:
        """An endless calendar: every month links to the next and the previous one, forever."""
        year, month = int(query.get("year", ["2026"])[0]), int(query.get("month", ["1"])[0])
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
        self.send_body(page(f"Events {year}-{month:02d}", f"No events in {year}-{month:02d}.", [
            f"/calendar?year={next_year}&month={next_month}", f"/calendar?year={prev_year}&month={prev_month}",
            "/",
        ]))

    def shop(self, path: str, query: dict) -> None:
        """Links to itself with a session id one higher than its own, like a server-side session shop."""
        current = re.search(r";jsessionid=S(\d+)", path, re.IGNORECASE)
        next_session = f"S{int(current.group(1)) + 1 if current else 1}"
        self.send_body(page("Shop", "Our photonic instruments.", [
            f"/shop;jsessionid={next_session}?sid={next_session}", f"/shop?PHPSESSID={next_session}&utm_source=x",
        ]))

    def article(self, path: str, query: dict) -> None:
        self.send_body(page("Article", "Optical coherence tomography for retinal imaging."))

    def redirect_loop(self, path: str, query: dict) -> None:
        target = "/loop/b" if path == "/loop/a" else "/loop/a"
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def moved_away(self, path: str, query: dict) -> None:
        """A redirect to the same host name on another port, which Scrapy's OffsiteMiddleware lets through."""
        self.send_response(301)
        self.send_header("Location", self.server.neighbour.base_url + "/from-redirect")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def refresh_away(self, path: str, query: dict) -> None:
        target = self.server.neighbour.base_url + "/from-meta-refresh"
        self.send_body(f'<html><head><meta http-equiv="refresh" content="0; url={target}"></head>'
                       f'<body>Moved to <a href="{target}">the new site</a>.</body></html>'.encode())

    def server_error(self, path: str, query: dict) -> None:
        self.send_body(b"<h1>Internal Server Error</h1>", status=500)

    def slow(self, path: str, query: dict) -> None:
        time.sleep(SLOW_SECONDS)
        try:
            self.send_body(page("Slow", "Too late."))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def huge(self, path: str, query: dict) -> None:
        self.stream("huge", HUGE_BYTES, "text/html; charset=utf-8", declare_length=False)

    def image(self, path: str, query: dict) -> None:
        self.stream("image", IMAGE_BYTES, "image/jpeg", declare_length=False, pause=0.5)

    def malformed(self, path: str, query: dict) -> None:
        body = (b"<html><head><title>Malformed page<body><div><p>Laser speckle imaging of blood flow"
                b"<p>unclosed <b>bold <i>italic\x00\x01\xfe\xff\xc3\x28 garbage bytes <table><tr><td>cell"
                b"<a href='/article'>article</a></div></span></html></html>")
        self.send_body(body, "text/html")

    def latin1_declared_utf8(self, path: str, query: dict) -> None:
        text = "Diffuse optical spectroscopy in São Paulo, Zürich and Montréal: très précis."
        body = f'<html><head><meta charset="utf-8"><title>Charset lie</title></head><body><p>{text}</p></body></html>'
        self.send_body(body.encode("latin-1"), "text/html")

    def utf8_declared_latin1(self, path: str, query: dict) -> None:
        text = "Photoacoustic imaging in Zürich — naïve café résumé."
        body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
                f'<title>Charset lie 2</title></head><body><p>{text}</p></body></html>')
        self.send_body(body.encode("utf-8"), "text/html")

    def repeated_segment(self, path: str, query: dict) -> None:
        """A relative link that adds a segment on every page: /a/, /a/a/, /a/a/a/, ..."""
        self.send_body(page("Nested", f"Depth {path.count('/a')}.", ["a/"]))

    def private(self, path: str, query: dict) -> None:
        self.send_body(page("Private", "ROBOTS-SECRET-MARKER must never be stored."))

    def changing(self, path: str, query: dict) -> None:
        version = self.server.changing_version
        body = page("Changing", f"Content version {version}.")
        self.send_validated(body, etag=f'"changing-v{version}"')

    def stable(self, path: str, query: dict) -> None:
        body = page(f"Stable {path}", "This page never changes.")
        self.send_validated(body, etag='"' + hashlib.sha256(body).hexdigest()[:16] + '"')

    def not_found(self, path: str, query: dict) -> None:
        self.send_body(b"<h1>Not found</h1>", status=404)
