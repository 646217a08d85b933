"""One generic spider for every organisation: its start URLs, its sitemap, its own links."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from collections import Counter
from typing import Any, AsyncIterator, Iterable, Iterator, Mapping, Protocol
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, StopDownload
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawlers.middlewares import OffsiteRequest
from crawlers.urls import (
    MAX_CALENDAR_HOPS, canonical_url, crawl_trap_reason, dedup_key, is_date_navigation, is_dated,
)
from store import FetchedPage

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
SITEMAP_TYPES = ("application/xml", "text/xml", "application/x-gzip", "application/gzip", "text/plain")
ROBOTS_FORBIDDEN_ERROR = "robots.txt: forbidden"  # the store counts errors starting "robots.txt" as blocked

# (ETag, Last-Modified) a page was last served with, either may be None.
Validators = tuple[str | None, str | None]


class CrawlTarget(Protocol):
    """What the spider needs of an organisation (the registry's Organisation satisfies it)."""

    id: str
    start_urls: tuple[str, ...]

    def url_allowed(self, url: str) -> bool: ...


def media_type(headers: Any) -> str:
    """The Content-Type of Scrapy headers without its parameters, lower-cased ("" when absent)."""
    raw = headers.get(b"Content-Type") or b""
    return raw.decode("latin-1").split(";", 1)[0].strip().lower()


def is_wanted_type(content_type: str, url: str) -> bool:
    if not content_type:  # servers that send none: decide from the body later
        return True
    return content_type in HTML_TYPES or content_type in PDF_TYPES or (
        content_type in SITEMAP_TYPES and url.endswith((".xml", ".xml.gz"))
    )


class OrganisationSpider(scrapy.Spider):
    name = "organisation"

    def __init__(
        self,
        targets: Iterable[CrawlTarget],
        max_pages_per_organisation: int,
        max_url_length: int,
        validators: Mapping[str, Validators] | None = None,
        fetched_at: Mapping[str, str] | None = None,
        resume_pending: Iterable[tuple[str, str, int]] = (),
        resume_seen: Iterable[str] = (),
        **kwargs: Any,
    ):
        """``validators`` maps the canonical URL of every page stored by an earlier crawl to the validators it
        was served with: those pages are revisited with conditional requests. ``fetched_at`` maps the same URLs
        to when they were last fetched: a sitemap whose <lastmod> is older says they need no request at all.

        ``resume_pending`` ((url, organisation id, depth) still to fetch) and ``resume_seen`` (every URL already
        scheduled) continue an interrupted run from its frontier instead of from the start URLs.
        """
        super().__init__(**kwargs)
        self.targets = {target.id: target for target in targets}
        self.max_pages_per_organisation = max_pages_per_organisation
        self.max_url_length = max_url_length
        self.known_urls = list(validators or {})
        self.validators = {dedup_key(url): validator_pair for url, validator_pair in (validators or {}).items()}
        self.fetched_at = {dedup_key(url): parse_timestamp(when) for url, when in (fetched_at or {}).items()}
        self.scheduled: Counter[str] = Counter()
        self.seen_urls: set[str] = set()  # dedup_key of every URL requested
        self.sitemaps_requested: set[str] = set()
        self.revisits_queued = False
        self.resume_pending = list(resume_pending)
        for url in resume_seen:
            self._mark_seen(url)
        # Follow links that lead to PDFs; other binary types are still skipped by extension.
        self.link_extractor = LinkExtractor(deny_extensions=[ext for ext in IGNORED_EXTENSIONS if ext != "pdf"])

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "OrganisationSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers_received, signal=signals.headers_received)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def on_headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Abandon images, archives and other binaries as soon as their headers arrive."""
        if "organisation_id" not in request.meta or request.meta.get("sitemap"):  # robots.txt, sitemaps
            return
        if not is_wanted_type(media_type(headers), request.url):
            self.crawler.stats.inc_value("scout/skipped/content_type")
            raise StopDownload(fail=False)

    def _mark_seen(self, url: str) -> None:
        """A URL an interrupted run already scheduled: not requested again, and counted against its page cap."""
        self.seen_urls.add(dedup_key(url))
        target = self._target_for(url)
        if target is not None:
            self.scheduled[target.id] += 1

    def _target_for(self, url: str) -> CrawlTarget | None:
        """The organisation a URL known only by itself belongs to: the first that allows it."""
        return next((target for target in self.targets.values() if target.url_allowed(url)), None)

    async def start(self) -> AsyncIterator[Request]:
        if self.resume_pending:
            for url, organisation_id, depth in self.resume_pending:
                if organisation_id in self.targets:
                    yield self._resumed_request(url, organisation_id, depth)
            return
        for target in self.targets.values():
            for url in target.start_urls:
                request = self._request(target, url)
                if request is not None:
                    yield request
            for root in {urljoin(start, "/") for start in target.start_urls}:
                sitemap = self._sitemap_request(target, urljoin(root, "/sitemap.xml"))
                if sitemap is not None:
                    yield sitemap
                # robots.txt may name further sitemaps; read here for its Sitemap lines only, since
                # the robots.txt middleware fetches and applies its rules separately.
                yield Request(urljoin(root, "/robots.txt"), callback=self.parse_robots_sitemaps,
                              errback=self.sitemap_missing, dont_filter=True,
                              meta={"organisation_id": target.id, "sitemap": True, "dont_obey_robotstxt": True})

    def _sitemap_request(self, target: CrawlTarget, url: str) -> Request | None:
        if url in self.sitemaps_requested:
            return None
        self.sitemaps_requested.add(url)
        return Request(url, callback=self.parse_sitemap, errback=self.sitemap_missing,
                       meta={"organisation_id": target.id, "sitemap": True}, dont_filter=True)

    def parse_robots_sitemaps(self, response: Response) -> Iterator[Request]:
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        target = self.targets[response.meta["organisation_id"]]
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            request = self._sitemap_request(target, canonical_url(url))
            if request is not None:
                yield request

    def on_idle(self) -> None:
        """Once links lead nowhere new, revisit the pages an earlier crawl stored that this one did not reach.

        A 304 Not Modified has no body to take links from, so the pages below an unchanged page would not be
        reached again; revisiting them keeps them fresh (and lets vanished ones become gone). This runs once,
        after link-following, so pages that links still reach keep their true depth.
        """
        if self.revisits_queued:
            return
        self.revisits_queued = True
        revisits = [request for request in map(self._revisit, self.known_urls) if request is not None]
        if not revisits:
            return
        log.info("revisiting %d known pages that links did not reach", len(revisits))
        for request in revisits:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _revisit(self, url: str) -> Request | None:
        target = self._target_for(url)
        if target is None:
            return None
        # How a dated page was reached is unknown, so it counts as the end of its calendar walk: a calendar
        # must not grow by another walk each crawl.
        hops = MAX_CALENDAR_HOPS if is_dated(url) else 0
        return self._request(target, url, calendar_hops=hops)

    def _request(self, target: CrawlTarget, url: str, calendar_hops: int = 0) -> Request | None:
        url = canonical_url(url)
        key = dedup_key(url)
        if key in self.seen_urls or len(url) > self.max_url_length or not target.url_allowed(url):
            return None
        trap = crawl_trap_reason(url, calendar_hops=calendar_hops)
        if trap is not None:
            self.crawler.stats.inc_value(f"scout/skipped/trap/{trap}")
            log.debug("crawl trap (%s), not followed: %s", trap, url)
            return None
        if self.scheduled[target.id] >= self.max_pages_per_organisation:
            self.crawler.stats.inc_value("scout/skipped/page_cap")
            return None
        self.scheduled[target.id] += 1
        self.seen_urls.add(key)
        return Request(url, callback=self.parse, errback=self.fetch_failed, headers=self._conditional_headers(key),
                       meta={"organisation_id": target.id, "calendar_hops": calendar_hops})

    def _resumed_request(self, url: str, organisation_id: str, depth: int) -> Request:
        # Already seen and counted by _mark_seen, so built directly rather than through _request.
        return Request(url, callback=self.parse, errback=self.fetch_failed,
                       headers=self._conditional_headers(dedup_key(url)),
                       meta={"organisation_id": organisation_id, "depth": depth, "calendar_hops": 0})

    def _conditional_headers(self, key: str) -> dict[str, str]:
        etag, last_modified = self.validators.get(key, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def parse(self, response: Response) -> Iterator[Any]:
        target = self.targets[response.meta["organisation_id"]]
        if response.status == 304:
            yield self._not_modified(response)
            return
        if response.status >= 400:
            yield self._failed(response.request, response.status, f"HTTP {response.status}")
            return
        content_type = media_type(response.headers)
        is_pdf = content_type in PDF_TYPES or response.body[:5] == b"%PDF-"
        is_html = isinstance(response, TextResponse) and (content_type in HTML_TYPES or not content_type)
        if not (is_pdf or is_html):
            self.crawler.stats.inc_value("scout/skipped/content_type")
            return
        # Links first: each is on the crawl frontier before the page that names it is settled, so a crawl
        # killed in between resumes with them (crawlers.frontier).
        if is_html:
            yield from self._follow_links(target, response)
        yield FetchedPage(
            url=canonical_url(response.url),
            final_url=response.url,
            organisation_id=target.id,
            http_status=response.status,
            content_type="application/pdf" if is_pdf else (content_type or "text/html"),
            body=response.body,
            encoding=None if is_pdf else body_encoding(response),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            depth=response.meta.get("depth", 0),
            requested_url=requested_url(response.request),
        )

    def _follow_links(self, target: CrawlTarget, response: TextResponse) -> Iterator[Request]:
        calendar_hops = response.meta.get("calendar_hops", 0)
        for link in self.link_extractor.extract_links(response):
            # Counting consecutive next/prev steps between dated pages bounds calendars of any shape.
            hops = calendar_hops + 1 if is_date_navigation(response.url, link.url) else 0
            request = self._request(target, link.url, calendar_hops=hops)
            if request is not None:
                yield request

    def _not_modified(self, response: Response) -> FetchedPage:
        """304: the stored copy is current (the store counts it unchanged); there is no body to read."""
        return FetchedPage(
            url=canonical_url(response.url),
            final_url=response.url,
            organisation_id=response.meta["organisation_id"],
            http_status=304,
            depth=response.meta.get("depth", 0),
            requested_url=requested_url(response.request),
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        target = self.targets[response.meta["organisation_id"]]
        if response.status >= 400:
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types on non-XML bodies
            log.info("%s is not a sitemap", response.url)
            return
        for entry in sitemap:
            location = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                nested = self._sitemap_request(target, canonical_url(location)) if target.url_allowed(location) else None
                if nested is not None:
                    yield nested
            elif self._unchanged_per_sitemap(location, entry.get("lastmod")):
                confirmed = self._confirmed_by_sitemap(target, location)
                if confirmed is not None:
                    yield confirmed
            else:
                request = self._request(target, location)
                if request is not None:
                    yield request

    def _unchanged_per_sitemap(self, location: str, lastmod: str | None) -> bool:
        """The sitemap dates the page's last change before our last fetch of it."""
        fetched = self.fetched_at.get(dedup_key(canonical_url(location)))
        modified = parse_timestamp(lastmod) if lastmod else None
        if fetched is None or modified is None:
            return False
        if len(lastmod.strip()) <= len("YYYY-MM-DD"):  # a bare date: only an earlier day is certainly older
            return modified.date() < fetched.date()
        return modified <= fetched

    def _confirmed_by_sitemap(self, target: CrawlTarget, location: str) -> FetchedPage | None:
        url = canonical_url(location)
        key = dedup_key(url)
        if key in self.seen_urls or not target.url_allowed(url):
            return None
        self.seen_urls.add(key)
        self.scheduled[target.id] += 1
        self.crawler.stats.inc_value("scout/pages/unchanged_per_sitemap")
        return FetchedPage(url=url, final_url=url, organisation_id=target.id, http_status=304,
                           requested_url=url, unchanged_per_sitemap=True)

    def sitemap_missing(self, failure: Failure) -> None:
        log.debug("no sitemap at %s: %s", failure.request.url, failure.value)

    def fetch_failed(self, failure: Failure) -> FetchedPage | None:
        request = failure.request
        if failure.check(OffsiteRequest):  # not this organisation's page: skipped, counted by the middleware
            return None
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage().lower():
            return self._failed(request, 0, ROBOTS_FORBIDDEN_ERROR)
        return self._failed(request, 0, f"{type(failure.value).__name__}: {failure.getErrorMessage()}")

    def _failed(self, request: Request, status: int, error: str) -> FetchedPage:
        return FetchedPage(
            url=canonical_url(request.url),
            final_url=request.url,
            organisation_id=request.meta.get("organisation_id"),
            http_status=status,
            error=error,
            depth=request.meta.get("depth", 0),
            requested_url=requested_url(request),
        )


def requested_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect (what the crawl frontier knows it by)."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def body_encoding(response: TextResponse) -> str:
    """The charset the body is really in, which is not always the one the page or its headers declare.

    Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever the declaration says (other charsets
    almost never form valid multi-byte UTF-8 sequences); otherwise the declared charset is kept if the body
    decodes with it, and Windows-1252, the de-facto charset of undeclared Western pages, is the fallback.
    """
    body = response.body
    if not body.isascii() and _decodes(body, "utf-8"):
        return "utf-8"
    if _decodes(body, response.encoding):
        return response.encoding
    return "cp1252" if _decodes(body, "cp1252") else "latin-1"


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 / W3C datetime (sitemap lastmod, store timestamps) as an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
