"""The data store: SQLite in WAL mode, the single source of truth between crawling and indexing.

`Store` is one connection; each part of it keeps one kind of thing (see the modules it is made of).
"""

from store.accounts import AccountRecords, UserRecord
from store.candidates import CandidateRecords
from store.clusters import ClusterRecords
from store.connection import StoreConnection, StoreError
from store.crawl_log import CrawlLog
from store.index_state import IndexState
from store.organisations import OrganisationRecords
from store.pages import PageQueries
from store.processing import ProcessingQueue
from store.records import (
    Candidate, CandidateListing, FetchedPage, PageView, PendingBody, ProcessedPage, Tag, TRLRecord, sha256_hex, utc_now,
)


class Store(
    OrganisationRecords, CrawlLog, ProcessingQueue, IndexState, PageQueries, CandidateRecords, AccountRecords,
    ClusterRecords, StoreConnection,
):
    """The store: organisations, crawl log, analysis queue, index bookkeeping, page queries, candidate
    organisations, user accounts and each partner cluster's rosters and shortlists over one connection."""


__all__ = [
    "Candidate", "CandidateListing", "FetchedPage", "PageView", "PendingBody", "ProcessedPage", "Store", "StoreError",
    "Tag", "TRLRecord", "UserRecord", "sha256_hex", "utc_now",
]
