"""One generic spider for every organisation: its start URLs, its sitemap, its own links."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, AsyncIterator, Iterable, Iterator, Protocol
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawlers.urls import canonical_url
from store import FetchedPage

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
SITEMAP_TYPES = ("application/xml", "text/xml", "application/x-gzip", "application/gzip", "text/plain")


class CrawlTarget(Protocol):
    """What the spider needs of an organisation (the registry's Organisation satisfies it)."""

    id: str
    start_urls: tuple[str, ...]

    def url_allowed(self, url: str) -> bool: ...


def media_type(response: Response) -> str:
    raw = response.headers.get(b"Content-Type") or b""
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
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.targets = {target.id: target for target in targets}
        self.max_pages_per_organisation = max_pages_per_organisation
        self.max_url_length = max_url_length
        self.scheduled: Counter[str] = Counter()
        self.seen_urls: set[str] = set()
        # Follow links that lead to PDFs; other binary types are still skipped by extension.
        self.link_extractor = LinkExtractor(deny_extensions=[ext for ext in IGNORED_EXTENSIONS if ext != "pdf"])

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "OrganisationSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers_received, signal=signals.headers_received)
        return spider

    def on_headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Abandon images, archives and other binaries as soon as their headers arrive."""
        if "organisation_id" not in request.meta:  # robots.txt and other middleware requests
            return
        raw = headers.get(b"Content-Type") or b""
        content_type = raw.decode("latin-1").split(";", 1)[0].strip().lower()
        if not is_wanted_type(content_type, request.url):
            self.crawler.stats.inc_value("scout/skipped/content_type")
            raise StopDownload(fail=False)

    async def start(self) -> AsyncIterator[Request]:
        for target in self.targets.values():
            for url in target.start_urls:
                request = self._request(target, url, self.parse)
                if request is not None:
                    yield request
            for url in {urljoin(start, "/sitemap.xml") for start in target.start_urls}:
                yield Request(url, callback=self.parse_sitemap, errback=self.sitemap_missing,
                              meta={"organisation_id": target.id}, dont_filter=True)

    def _request(self, target: CrawlTarget, url: str, callback: Any) -> Request | None:
        url = canonical_url(url)
        if url in self.seen_urls or len(url) > self.max_url_length or not target.url_allowed(url):
            return None
        if self.scheduled[target.id] >= self.max_pages_per_organisation:
            self.crawler.stats.inc_value("scout/skipped/page_cap")
            return None
        self.scheduled[target.id] += 1
        self.seen_urls.add(url)
        return Request(url, callback=callback, errback=self.fetch_failed, meta={"organisation_id": target.id})

    def parse(self, response: Response) -> Iterator[Any]:
        target = self.targets[response.meta["organisation_id"]]
        if response.status >= 400:
            yield self._failed(response.request, response.status, f"HTTP {response.status}")
            return
        content_type = media_type(response)
        is_pdf = content_type in PDF_TYPES or response.body[:5] == b"%PDF-"
        is_html = isinstance(response, TextResponse) and (content_type in HTML_TYPES or not content_type)
        if not (is_pdf or is_html):
            self.crawler.stats.inc_value("scout/skipped/content_type")
            return
        yield FetchedPage(
            url=canonical_url(response.url),
            final_url=response.url,
            organisation_id=target.id,
            http_status=response.status,
            content_type="application/pdf" if is_pdf else (content_type or "text/html"),
            body=response.body,
            encoding=None if is_pdf else response.encoding,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            depth=response.meta.get("depth", 0),
        )
        if is_html:
            for link in self.link_extractor.extract_links(response):
                request = self._request(target, link.url, self.parse)
                if request is not None:
                    yield request

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
                if target.url_allowed(location):
                    yield Request(location, callback=self.parse_sitemap, meta={"organisation_id": target.id})
            else:
                request = self._request(target, location, self.parse)
                if request is not None:
                    yield request

    def sitemap_missing(self, failure: Failure) -> None:
        log.debug("no sitemap at %s: %s", failure.request.url, failure.value)

    def fetch_failed(self, failure: Failure) -> FetchedPage:
        request = failure.request
        return self._failed(request, 0, f"{type(failure.value).__name__}: {failure.getErrorMessage()}")

    def _failed(self, request: Request, status: int, error: str) -> FetchedPage:
        return FetchedPage(
            url=canonical_url(request.url),
            final_url=request.url,
            organisation_id=request.meta.get("organisation_id"),
            http_status=status,
            error=error,
            depth=request.meta.get("depth", 0),
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
