"""Downloader middlewares that keep every request, redirects included, on its organisation's site.

Scrapy's own OffsiteMiddleware compares host names without ports and needs allowed_domains, and redirects
(HTTP and meta refresh) are followed by Scrapy's middlewares, not by the spider; so the spider's own checks
cannot see them. These middlewares see every request on its way to the downloader.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from crawlers.urls import canonical_url, host_of

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class OffsiteRequest(IgnoreRequest):
    """A request (often a redirect) that would leave its organisation's site."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already visited on the same redirect chain."""


class StayOnSiteMiddleware:
    """Drop any request whose URL its organisation does not allow; robots.txt requests carry none and pass."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StayOnSiteMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        organisation_id = request.meta.get("organisation_id")
        if organisation_id is None:
            return
        target = self.crawler.spider.targets.get(organisation_id)
        if target is not None and self._allowed(target, request):
            return
        self.crawler.stats.inc_value("scout/skipped/offsite")
        log.debug("off-site for %s, dropped: %s (redirected from %s)", organisation_id, request.url,
                  request.meta.get("redirect_urls", []))
        raise OffsiteRequest(f"off-site for {organisation_id}: {request.url}")

    @staticmethod
    def _allowed(target: Any, request: Request) -> bool:
        if request.meta.get("sitemap"):
            # A sitemap is site metadata, not a page: it need not match the organisation's include patterns,
            # only stay on the host of one of its start URLs.
            return host_of(request.url) in {host_of(url) for url in target.start_urls}
        return target.url_allowed(request.url)


class RedirectLoopMiddleware:
    """Fail a redirect that returns to a URL of its own chain.

    Without this the looping request is silently dropped by Scrapy's duplicate filter, and the page is
    neither stored nor counted as failed. Placed after RedirectMiddleware so it sees the response first.
    """

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RedirectLoopMiddleware":
        return cls()

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        target = canonical_url(urljoin(request.url, safe_url_string(location)))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical_url(url) for url in chain}:
            raise RedirectLoop(f"redirect loop: {' -> '.join(chain)} -> {target}")
        return response
