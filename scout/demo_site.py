"""Serve the bundled demo websites (``data/demo_site``) on loopback ports, for demos and end-to-end tests.

Every organisation in ``data/demo_site/organisations.yaml`` gets its own loopback server on an
OS-assigned free port, so each one is a separate host:port a crawler must keep apart. All content is fictional.

Text files may contain placeholders filled in at serve time, because ports are only known once bound:
``{base}`` is the site's own ``http://127.0.0.1:PORT`` and ``{site:<org id>}`` another demo site's.

Usage::

    with DemoSites() as demo:
        for org in demo.organisations:
            crawl(org["start_urls"])
        demo.url("demo-acme-retina", "/products/retinascan-ss1.html")

Run ``python -m scout.demo_site`` to browse the sites by hand.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from scout.loopback import LoopbackServer

DEMO_SITE_ROOT = Path(__file__).resolve().parent.parent / "data" / "demo_site"
ORGANISATIONS_FILE = "organisations.yaml"

CONTENT_TYPES = {
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".xml": "application/xml",
}
# Only text files carry placeholders; binary files (the PDF) are served byte for byte.
TEXT_SUFFIXES = {".html", ".txt", ".xml"}
DEFAULT_CHARSET = "utf-8"
# The declared charset of an HTML page: <meta charset="..."> or <meta http-equiv=... content="...; charset=...">.
META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
CHARSET_SNIFF_BYTES = 2048
# stop() waits for each server in turn to notice its shutdown request: at the default 0.5 s, stopping
# the demo took seconds.
SHUTDOWN_POLL_SECONDS = 0.05

logger = logging.getLogger(__name__)


def load_organisations(root: Path) -> list[dict[str, Any]]:
    """The organisation entries of ``root/organisations.yaml``, each checked to name an existing folder."""
    loaded = yaml.safe_load((root / ORGANISATIONS_FILE).read_text(encoding="utf-8"))
    organisations = loaded["organisations"]
    for org in organisations:
        if not (root / org["folder"]).is_dir():
            raise ValueError(f"{org['id']}: folder {org['folder']!r} not found under {root}")
    return organisations


class DemoSiteServer(LoopbackServer):
    """One demo website: serves ``folder`` on ``host`` at a free port chosen by the OS; ``{base}`` is its base_url."""

    def __init__(self, folder: Path, host: str) -> None:
        self.folder = folder.resolve()
        self.placeholders: dict[bytes, bytes] = {}
        super().__init__(DemoSiteHandler, host)

    def fill_placeholders(self, body: bytes) -> bytes:
        for placeholder, value in self.placeholders.items():
            body = body.replace(placeholder, value)
        return body


class DemoSiteHandler(BaseHTTPRequestHandler):
    """Static files with HEAD, conditional GET and placeholder substitution; never outside the site folder."""

    server: DemoSiteServer
    server_version = "ScoutDemoSite/1.0"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        # The base class writes every request to stderr, which would flood test output.
        logger.debug("%s %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        if not is_safe_url_path(url_path):
            self.send_error(HTTPStatus.FORBIDDEN, "Path not allowed")
            return
        target = self.server.folder / url_path.lstrip("/")
        if url_path.endswith("/"):
            target = target / "index.html"
        elif target.is_dir():
            self._redirect(url_path + "/")
            return
        target = target.resolve()
        if not target.is_relative_to(self.server.folder):  # e.g. a symlink pointing elsewhere
            self.send_error(HTTPStatus.FORBIDDEN, "Path not allowed")
            return
        if not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "No such demo page")
            return
        self._send_file(target, send_body)

    def _send_file(self, target: Path, send_body: bool) -> None:
        body = target.read_bytes()
        if target.suffix in TEXT_SUFFIXES:
            body = self.server.fill_placeholders(body)
        mtime = target.stat().st_mtime
        # The ETag hashes what is sent, so it changes when a placeholder value (a port) changes.
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        validators = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}

        if self._is_not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_headers(validators)
            return
        self.send_response(HTTPStatus.OK)
        self._send_headers({
            "Content-Type": content_type(target, body),
            "Content-Length": str(len(body)),
            **validators,
        })
        if send_body:
            self.wfile.write(body)

    def _is_not_modified(self, etag: str, mtime: float) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False  # an unparsable date is ignored, as the RFC asks
        return int(mtime) <= since  # HTTP dates have whole-second resolution

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self._send_headers({"Location": location, "Content-Length": "0"})

    def _send_headers(self, headers: dict[str, str]) -> None:
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()


def is_safe_url_path(url_path: str) -> bool:
    """Reject anything that could climb out of the site folder, before touching the file system."""
    if not url_path.startswith("/") or "\\" in url_path or "\x00" in url_path:
        return False
    return ".." not in url_path.split("/")


def etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    # Weak comparison, as RFC 9110 prescribes for If-None-Match.
    return "*" in candidates or etag in [candidate.removeprefix("W/") for candidate in candidates]


def content_type(target: Path, body: bytes) -> str:
    """Content-Type for a file; HTML pages get the charset their own <meta> declares."""
    media_type = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
    if target.suffix == ".html":
        declared = META_CHARSET.search(body[:CHARSET_SNIFF_BYTES])
        charset = declared.group(1).decode("ascii").lower() if declared else DEFAULT_CHARSET
        return f"{media_type}; charset={charset}"
    if target.suffix in TEXT_SUFFIXES:
        return f"{media_type}; charset={DEFAULT_CHARSET}"
    return media_type


class DemoSites:
    """All demo websites, each on its own loopback port, served from daemon threads while started."""

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1") -> None:
        self.root = Path(root) if root is not None else DEMO_SITE_ROOT
        self.host = host
        self.organisations: list[dict[str, Any]] = []  # filled by start(), with website and start_urls
        self._servers: dict[str, DemoSiteServer] = {}

    def __enter__(self) -> DemoSites:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> DemoSites:
        if self._servers:
            raise RuntimeError("demo sites already started")
        entries = load_organisations(self.root)
        try:
            # Bind every server first: each site's placeholders need every other site's port.
            for org in entries:
                self._servers[org["id"]] = DemoSiteServer(self.root / org["folder"], self.host)
        except OSError:
            self.stop()
            raise
        for org_id, server in self._servers.items():
            server.placeholders = self._placeholders_for(server)
            server.start(name=f"demo-site-{org_id}")
        self.organisations = [self._with_website(org) for org in entries]
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        self.organisations = []

    def base_url(self, org_id: str) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash) of a started organisation's site."""
        try:
            return self._servers[org_id].base_url
        except KeyError:
            raise KeyError(f"no running demo site {org_id!r}; known: {', '.join(self._servers)}") from None

    def url(self, org_id: str, path: str = "/") -> str:
        """Absolute URL of ``path`` (starting with /) on an organisation's site."""
        return self.base_url(org_id) + path

    def _placeholders_for(self, server: DemoSiteServer) -> dict[bytes, bytes]:
        placeholders = {b"{base}": server.base_url.encode("ascii")}
        for org_id, other in self._servers.items():
            placeholders[b"{site:" + org_id.encode("ascii") + b"}"] = other.base_url.encode("ascii")
        return placeholders

    def _with_website(self, org: dict[str, Any]) -> dict[str, Any]:
        website = self.base_url(org["id"]) + "/"
        return {**org, "website": website, "start_urls": [website]}


def main() -> None:
    """Serve the demo sites until interrupted, printing where each one lives."""
    logging.basicConfig(level=logging.INFO)
    with DemoSites() as demo:
        for org in demo.organisations:
            print(f"{org['id']:24} {org['website']}  {org['name']}")
        print("Serving demo sites; press Ctrl-C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
