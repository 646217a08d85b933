"""The one narrow interface every search engine backend implements (Whoosh by default, tantivy beside it).

Engines hold what search needs to match, rank, filter, facet and sort; text for snippets is read from the
store (the source of truth), so an engine stores only ids and filter values besides its inverted index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from retrieval.query import Node

BACKENDS = ("whoosh", "tantivy")
SORTS = ("relevance", "trl", "date", "published")
# Facets every engine counts over a whole result set; "trl" values are "1".."9".
FACETS = ("application", "area", "trl", "country", "market", "organisation_type", "role", "language",
          "organisation_id")
# Field weights of BM25F; the same in every backend so relevance figures compare.
FIELD_BOOSTS = {"title": 3.0, "text": 1.0, "organisation": 1.5, "application_names": 2.0}


class IndexMissingError(RuntimeError):
    """Search was asked of a data directory whose index has not been built."""


@dataclass(frozen=True)
class IndexedPage:
    """What an engine indexes of one page."""

    page_id: int
    url: str
    title: str
    text: str
    organisation: str = ""
    organisation_id: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    market: str = ""  # registry market slug
    organisation_type: str = ""
    role: str = ""
    applications: tuple[str, ...] = ()
    application_names: str = ""  # the applications' names, searchable as text
    areas: tuple[str, ...] = ()
    trl: int | None = None
    language: str = ""
    fetched_at: datetime | None = None  # UTC, naive
    last_changed_at: datetime | None = None  # UTC, naive
    published: date | None = None


def epoch_seconds(moment: datetime | date | None) -> int:
    """A UTC moment (naive) or day as seconds since 1970, as both backends store dates; 0 for none."""
    if moment is None:
        return 0
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)
    return max(0, int(moment.replace(tzinfo=timezone.utc).timestamp()))


@dataclass(frozen=True)
class EngineHit:
    page_id: int
    score: float
    organisation_id: str = ""


@dataclass
class EngineResults:
    total: int  # pages matching the whole query
    hits: list[EngineHit]  # the first `limit` of them in the requested order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # FACETS -> value -> pages, when asked
    # application -> country -> pages (a page counts once in each pair it has), when facets are asked
    application_country: dict[str, dict[str, int]] = field(default_factory=dict)
    # day -> pages of the result set changed (last_changed_at) on or after it, for each day asked for
    changed_since: dict[date, int] = field(default_factory=dict)


class SearchEngine(Protocol):
    """One index directory of one backend. Writers and readers may be different processes."""

    def add(self, pages: Iterable[IndexedPage]) -> None:
        """Adds or replaces (by page_id) these pages; visible to searchers after `commit`."""

    def delete(self, page_ids: Iterable[int]) -> None:
        """Removes these pages (unknown ids are ignored); visible after `commit`."""

    def commit(self) -> None:
        """Makes everything added or deleted since the last commit durable and visible, all at once."""

    def search(self, query: Node | None, *, limit: int, offset: int = 0, sort: str = "relevance",
               facets: bool = False, changed_since: Sequence[date] = ()) -> EngineResults:
        """Pages matching `query` (None: every page), ordered by BM25F relevance or by `sort` (TRL highest
        first, date = last_changed_at newest first, published newest first; pages lacking the value last).
        With `changed_since`, also how many of them changed on or after each of those days (freshness facets,
        counted over the same matches rather than by running the query again).
        """

    def matching_ids(self, query: Node | None) -> frozenset[int]:
        """Every page id matching `query` (None: all), unranked: what the vector side filters on."""

    def count(self, query: Node | None) -> int:
        """How many pages match `query` (None: all)."""

    def close(self) -> None:
        """Releases files and any searcher held open."""


def open_engine(backend: str, directory: Path, *, writable: bool = False) -> SearchEngine:
    """The engine of `backend` in `directory`; with `writable` it is created when missing.

    Raises IndexMissingError when a read-only engine has no index there, ValueError for an unknown backend.
    """
    if backend == "whoosh":
        from retrieval.whoosh_engine import WhooshEngine
        return WhooshEngine(directory, writable=writable)
    if backend == "tantivy":
        from retrieval.tantivy_engine import TantivyEngine
        return TantivyEngine(directory, writable=writable)
    raise ValueError(f"search backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
