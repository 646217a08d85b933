"""Item pipeline: every fetched page goes into the store, counted against the crawl run."""

from __future__ import annotations

import logging
from typing import Any

from store import FetchedPage, Store

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, database_path: str, run_id: int):
        self.database_path = database_path
        self.run_id = run_id
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        pipeline = cls(crawler.settings.get("SCOUT_DATABASE_PATH"), crawler.settings.getint("SCOUT_RUN_ID"))
        pipeline.stats = crawler.stats
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store.open(self.database_path)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        outcome = self.store.record_fetch(self.run_id, item)
        self.stats.inc_value(f"scout/pages/{outcome}")
        if outcome == "failed":  # counted in the run and shown by `scout coverage`: a detail here
            log.info("failed %s: %s", item.url, item.error or f"HTTP {item.http_status}")
        return item
