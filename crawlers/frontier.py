"""Records every scheduled request in the store's crawl frontier, so a killed crawl can resume.

The spider yields a page's links before the page itself, and this extension writes each link when it is
scheduled, so by the time a page is stored (and its frontier entry settled) its links are already on disk.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.http import Request

from store import Store


class FrontierRecorder:
    def __init__(self, database_path: str, run_id: int):
        self.store = Store.open(database_path)
        self.run_id = run_id

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FrontierRecorder":
        recorder = cls(crawler.settings.get("SCOUT_DATABASE_PATH"), crawler.settings.getint("SCOUT_RUN_ID"))
        crawler.signals.connect(recorder.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def request_scheduled(self, request: Request, spider: Any) -> None:
        organisation_id = request.meta.get("organisation_id")
        if organisation_id and request.callback == getattr(spider, "parse", None):
            self.store.queue_url(self.run_id, request.url, organisation_id, request.meta.get("depth", 0))

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.store.close()
