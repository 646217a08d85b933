"""The search service the CLI, the HTML page and the JSON API share: one validated request in, results out.

A `Searcher` lives as long as its process (the web app keeps one, `scout search` makes one). It holds the
current index generation's engine and vector store open and reopens them only when `scout index` has
switched to another generation, so no search pays for opening an index or loading vectors. The embedding
model is loaded on the first search that needs a query vector; keyword (bm25) searches never import it.

Modes: bm25 ranks by the engine alone; vectors by the similarity of the query to each page's best passage,
among the pages the query's filters and exclusions allow (filters apply before the top-k); hybrid fuses the
BM25 top LEXICAL_CANDIDATES and the vector top SEMANTIC_CANDIDATES above SEMANTIC_FLOOR by reciprocal rank
fusion, and counts facets over exactly that fused set. A query without positive words (filters and
exclusions only) has nothing to embed and runs as bm25.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from retrieval.engine import EngineHit, EngineResults, SearchEngine, open_engine
from retrieval.layout import IndexLocation, current_index
from retrieval.query import Any as AnyOf
from retrieval.query import Node, PageIds, constraint, describe, positive_words, semantic_text
from retrieval.requests import LAST_CRAWL, SearchRequest
from retrieval.results import FACET_NAMES, FRESHNESS, TRL_BANDS, Hit, SearchResults
from retrieval.snippets import snippets
from store import PageView, Store

LEXICAL_CANDIDATES = 200
SEMANTIC_CANDIDATES = 50
SEMANTIC_FLOOR = 0.25  # cosine similarity below which a MiniLM passage is rarely on topic (chosen on the tune half)
VECTORS_FLOOR = 0.0
RRF_K = 60  # the constant of Cormack et al.'s reciprocal rank fusion
PAGES_PER_GROUP = 3
STALE_INDEX_MESSAGE = "The index lists pages the store does not hold: run scout index --rebuild"

Embedder = Callable[[list[str]], Any]  # texts -> (n, dimensions) array of unit vectors


class StaleIndexError(RuntimeError):
    """The index names pages the store does not have (the store was replaced after indexing)."""


@dataclass
class _Opened:
    location: IndexLocation
    engine: SearchEngine


@dataclass
class _Ranked:
    """A result set before pages are read: ids best first (to offset + limit, or all when grouping)."""

    total: int
    ranking: list[tuple[int, float]]  # (page id, score)
    engine_results: EngineResults  # of the whole set, with facets
    set_node: Node | None  # the query whose matches are exactly the result set
    passages: dict[int, tuple[int, int]]  # page id -> character span of its best passage (semantic hits)
    organisation_of: dict[int, str]  # page id -> organisation id, for grouping
    mode: str


class Searcher:
    """Searches one data directory's current index; safe to share between a web app's threads."""

    def __init__(self, index_dir: Path, database_path: Path, *, embed: Embedder | None = None):
        self.index_dir = Path(index_dir)
        self.database_path = Path(database_path)
        self._embed = embed
        self._opened: _Opened | None = None
        self._lock = threading.Lock()

    def search(self, request: SearchRequest, *, today: date | None = None) -> SearchResults:
        """One page of results for `request`; raises IndexMissingError before `scout index` ran and
        StaleIndexError when the index names pages the store lacks."""
        today = today or datetime.now(timezone.utc).date()
        # One search at a time: an engine's searcher is not safe to share between threads, and on two cores
        # parallel pure-Python searches would only take turns for the interpreter anyway.
        with self._lock:
            opened = self._current()
            try:
                return self._search(opened, request, today)
            except Exception:
                # The writer removes an old generation after switching: follow the switch and try once more.
                if current_index(self.index_dir).generation == opened.location.generation:
                    raise
                return self._search(self._current(), request, today)

    def close(self) -> None:
        with self._lock:
            if self._opened is not None:
                self._opened.engine.close()
                self._opened = None

    # -- opening ----------------------------------------------------------------------------------------

    def _current(self) -> _Opened:
        """The current generation's engine, reopened only when CURRENT names another one (caller holds _lock)."""
        location = current_index(self.index_dir)
        if self._opened is None or self._opened.location != location:
            if self._opened is not None:
                self._opened.engine.close()
            self._opened = _Opened(location, open_engine(location.backend, location.engine_dir))
        return self._opened

    def _vectors(self, opened: _Opened):
        from retrieval.vectors import VectorStore

        # The process's one reader of this directory: mapped once, remapped only after a writer's commit.
        return VectorStore.shared(opened.location.vectors_dir)

    def _query_vector(self, text: str):
        if self._embed is None:
            from indexer.analysis.embedding_model import embed  # imports torch: only on the semantic path

            self._embed = embed
        return self._embed([text])[0]

    # -- searching --------------------------------------------------------------------------------------

    def _search(self, opened: _Opened, request: SearchRequest, today: date) -> SearchResults:
        if not self.database_path.is_file():
            return self._search_in(None, opened, request, today)
        # One read-only connection for the last crawl's day (freshness) and the shown pages.
        with Store.open(self.database_path, read_only=True) as store:
            return self._search_in(store, opened, request, today)

    def _search_in(self, store: Store | None, opened: _Opened, request: SearchRequest, today: date) -> SearchResults:
        node = request.node
        text = semantic_text(node) if node is not None else ""
        grouped = request.group == "organisation"
        needed = None if grouped else request.offset + request.limit
        since_days = _freshness_days(_started_day(store.last_crawl_run()) if store is not None else None, today)
        counted = tuple(since_days.values())
        if request.mode == "bm25" or not text.strip():
            ranked = self._bm25(opened.engine, node, request.sort, needed, counted)
        elif request.mode == "vectors":
            ranked = self._vectors_only(opened, node, text, request.sort, needed, counted)
        else:
            ranked = self._hybrid(opened, node, text, request.sort, needed, counted)

        if store is None:
            if ranked.total:
                raise StaleIndexError(STALE_INDEX_MESSAGE)
            return self._results(request, ranked, [], [], 0, {}, since_days)
        if grouped:
            groups = _grouped(ranked.ranking, ranked.organisation_of)
            total_groups = len(groups)
            page_groups = [group[:PAGES_PER_GROUP] for group in groups[request.offset:request.offset + request.limit]]
            shown = [item for group in page_groups for item in group]
        else:
            total_groups, page_groups = 0, []
            shown = ranked.ranking[request.offset:request.offset + request.limit]
        views = {view.id: view for view in store.pages([page_id for page_id, _ in shown])}
        if any(page_id not in views for page_id, _ in shown):
            raise StaleIndexError(STALE_INDEX_MESSAGE)
        return self._results(request, ranked, shown, page_groups, total_groups, views, since_days)

    def _results(self, request: SearchRequest, ranked: _Ranked, shown: list[tuple[int, float]],
                 page_groups: list[list[tuple[int, float]]], total_groups: int, views: dict[int, PageView],
                 since_days: dict[str, date]) -> SearchResults:
        node = request.node
        words = positive_words(node) if node is not None else ()
        hits = {page_id: _hit(views[page_id], score, words, ranked.passages.get(page_id)) for page_id, score in shown}
        facets = _facets(ranked.engine_results)
        changed = ranked.engine_results.changed_since
        facets["freshness"] = [(name, changed[day]) for name, day in since_days.items() if changed.get(day)]
        results = SearchResults(
            query=request.text, total=ranked.total, hits=[hits[page_id] for page_id, _ in shown], facets=facets,
            application_country=ranked.engine_results.application_country, mode=ranked.mode,
            reading=describe(node) if node is not None else "every page",
            applications_by_area=_applications_by_area(facets["applications"]),
            freshness_since={name: LAST_CRAWL if name == "since-last-crawl" else day.isoformat()
                             for name, day in since_days.items()},
        )
        if request.group == "organisation":
            results.groups = [[hits[page_id] for page_id, _ in group] for group in page_groups]
            results.total_groups = total_groups
        return results

    def _bm25(self, engine: SearchEngine, node: Node | None, sort: str, needed: int | None,
              counted: tuple[date, ...]) -> _Ranked:
        found, hits = _ranked_matches(engine, node, sort, needed, counted)
        return _Ranked(found.total, [(hit.page_id, hit.score) for hit in hits], found, node, {},
                       _organisations(hits), "bm25")

    def _nearest(self, opened: _Opened, node: Node | None, text: str, limit: int, floor: float):
        """The pages whose best passage is nearest the query, among those its filters and exclusions allow."""
        vectors = self._vectors(opened)
        required = constraint(node) if node is not None else None
        allowed = opened.engine.matching_ids(required) if required is not None else None
        return vectors.nearest(self._query_vector(text), limit, allowed=allowed, floor=floor)

    def _vectors_only(self, opened: _Opened, node: Node | None, text: str, sort: str,
                      needed: int | None, counted: tuple[date, ...]) -> _Ranked:
        # Only pages near enough the query count as results; at least as many as a page of them asks for.
        limit = MAX_SEMANTIC_RESULTS if needed is None else max(SEMANTIC_CANDIDATES, needed)
        nearest = self._nearest(opened, node, text, limit, floor=VECTORS_FLOOR)
        similarity = {hit.page_id: hit.similarity for hit in nearest}
        set_node = PageIds(frozenset(similarity))
        if not nearest:
            found, hits = EngineResults(total=0, hits=[]), []
        else:
            found, hits = _ranked_matches(opened.engine, set_node, sort, len(nearest), counted)
        ranking = ([(hit.page_id, hit.similarity) for hit in nearest] if sort == "relevance"
                   else [(hit.page_id, similarity[hit.page_id]) for hit in hits])
        return _Ranked(found.total, ranking, found, set_node, {hit.page_id: (hit.start, hit.end) for hit in nearest},
                       _organisations(hits), "vectors")

    def _hybrid(self, opened: _Opened, node: Node, text: str, sort: str, needed: int | None,
                counted: tuple[date, ...]) -> _Ranked:
        engine = opened.engine
        lexical = [hit.page_id for hit in engine.search(node, limit=LEXICAL_CANDIDATES).hits]
        nearest = self._nearest(opened, node, text, SEMANTIC_CANDIDATES, SEMANTIC_FLOOR)
        fused = reciprocal_rank_fusion(lexical, [hit.page_id for hit in nearest])
        # The result set: the query's matches and the semantic neighbours (which passed its constraints).
        set_node: Node = AnyOf((node, PageIds(frozenset(hit.page_id for hit in nearest)))) if nearest else node
        found, hits = _ranked_matches(engine, set_node, sort, needed, counted)
        if sort == "relevance":
            # The fused candidates first; past them the rest of the matches follow in BM25 order.
            ranking = sorted(fused.items(), key=lambda item: -item[1])
            ranking += [(hit.page_id, 0.0) for hit in hits if hit.page_id not in fused]
        else:
            ranking = [(hit.page_id, fused.get(hit.page_id, 0.0)) for hit in hits]
        return _Ranked(found.total, ranking, found, set_node, {hit.page_id: (hit.start, hit.end) for hit in nearest},
                       _organisations(hits), "hybrid")


def _ranked_matches(engine: SearchEngine, node: Node | None, sort: str, needed: int | None,
                    counted: tuple[date, ...] = ()) -> tuple[EngineResults, list[EngineHit]]:
    """The matches with facets (and how many changed since each `counted` day), and the first `needed` of
    them in `sort` order (all of them when None)."""
    found = engine.search(node, limit=needed or 0, sort=sort, facets=True, changed_since=counted)
    if needed is not None:
        return found, found.hits
    return found, engine.search(node, limit=found.total, sort=sort).hits if found.total else []


def last_crawl_day(database_path: Path) -> date | None:
    """The day (UTC) the last crawl started: what since:last-crawl means and freshness counts from."""
    if not database_path.is_file():
        return None
    with Store.open(database_path, read_only=True) as store:
        return _started_day(store.last_crawl_run())


def _started_day(run: dict | None) -> date | None:
    return datetime.fromisoformat(run["started_at"]).date() if run and run.get("started_at") else None


# Grouping a vectors-only search needs its whole result set; beyond this many, neighbours are far off topic.
MAX_SEMANTIC_RESULTS = 1000


def reciprocal_rank_fusion(*rankings: Sequence[int]) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, page_id in enumerate(ranking):
            fused[page_id] = fused.get(page_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _organisations(hits: list[EngineHit]) -> dict[int, str]:
    return {hit.page_id: hit.organisation_id for hit in hits}


def _grouped(ranking: list[tuple[int, float]], organisation_of: dict[int, str]) -> list[list[tuple[int, float]]]:
    """The ranked hits per organisation, organisations in the order of their first hit."""
    groups: dict[object, list[tuple[int, float]]] = {}
    for page_id, score in ranking:
        # A page no organisation claims is a group of its own.
        groups.setdefault(organisation_of.get(page_id) or ("page", page_id), []).append((page_id, score))
    return list(groups.values())


def _facets(found: EngineResults) -> dict[str, list[tuple[str, int]]]:
    counts = {("applications" if name == "application" else name): values for name, values in found.facets.items()}
    facets = {name: sorted(((str(value), count) for value, count in counts.get(name, {}).items()
                            if value not in (None, "") and count),
                           key=lambda item: (-item[1], item[0]))
              for name in FACET_NAMES if name not in ("trl_band", "freshness")}
    # Levels and bands are a scale, read in order, not a popularity list.
    facets["trl"].sort(key=lambda item: int(item[0]))
    levels = {int(value): count for value, count in facets["trl"]}
    facets["trl_band"] = [(band, total) for band, (low, high) in TRL_BANDS.items()
                          if (total := sum(levels.get(level, 0) for level in range(low, high + 1)))]
    return facets


def _freshness_days(last_crawl: date | None, today: date) -> dict[str, date]:
    days = {"since-last-crawl": last_crawl, "last-7-days": today - timedelta(days=7),
            "last-30-days": today - timedelta(days=30)}
    return {name: days[name] for name in FRESHNESS if days[name] is not None}


def _applications_by_area(applications: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    from taxonomy import APPLICATIONS, AREAS

    by_area: dict[str, list[tuple[str, int]]] = {}
    for application, count in applications:
        info = APPLICATIONS.get(application)
        for area in info.areas if info is not None else ():
            by_area.setdefault(area, []).append((application, count))
    return {area: by_area[area] for area in AREAS if area in by_area}


def _hit(page: PageView, score: float, words, passage: tuple[int, int] | None) -> Hit:
    return Hit(
        page_id=page.id,
        url=page.final_url or page.url,
        title=page.title or page.url,
        organisation=page.organisation or "",
        organisation_id=page.organisation_id or "",
        country=page.country or "",
        applications=[tag.application for tag in page.tags],
        trl=page.trl.level if page.trl is not None else None,
        language=page.language or "",
        fetched_at=page.fetched_at or "",
        published=page.published_date or "",
        score=score,
        snippets=snippets(page.text or "", words, passage=passage),
        page=page,
    )
