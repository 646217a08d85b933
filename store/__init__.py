"""The data store: SQLite in WAL mode, the single source of truth between crawling and indexing."""

from store.database import (
    FetchedPage,
    PageView,
    PendingBody,
    ProcessedPage,
    Store,
    StoreError,
    Tag,
    TRLRecord,
    sha256_hex,
    utc_now,
)

__all__ = [
    "FetchedPage", "PageView", "PendingBody", "ProcessedPage", "Store", "StoreError", "Tag", "TRLRecord",
    "sha256_hex", "utc_now",
]
