"""The Whoosh full-text index: BM25F over title, text, organisation and tags, with facets.

The index is derived data: `build_index` can always recreate it from the store.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from whoosh import highlight, index, scoring, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, DateRange, Every, NumericRange, Or, Term
from whoosh.searching import Hit as WhooshHit

from indexer.index.vectors import EmbeddingIndex
from store import PageView, Store
from taxonomy import APPLICATIONS

log = logging.getLogger(__name__)

SEARCH_FIELDS = ("title", "text", "organisation", "application_names")
FIELD_BOOSTS = {"title": 3.0, "text": 1.0, "organisation": 1.5, "application_names": 2.0}
FACET_FIELDS = ("applications", "country", "organisation_type", "trl", "language", "organisation_id")
SORTS = ("relevance", "trl", "date", "published")
WRITE_BATCH = 500
SNIPPET_CHARS = 240
LEXICAL_CANDIDATES = 200
SEMANTIC_CANDIDATES = 50
SEMANTIC_FLOOR = 0.35  # cosine similarity below which a MiniLM neighbour is rarely on topic
RRF_K = 60  # the constant of Cormack et al.'s reciprocal rank fusion


class IndexMissingError(RuntimeError):
    """Search was asked of a data directory whose index has not been built."""


def make_schema() -> Schema:
    analyzer = StemmingAnalyzer()
    return Schema(
        page_id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=TEXT(stored=True, analyzer=analyzer, field_boost=FIELD_BOOSTS["title"]),
        text=TEXT(stored=True, analyzer=analyzer),
        organisation=TEXT(stored=True, field_boost=FIELD_BOOSTS["organisation"]),
        organisation_id=ID(stored=True),
        country=ID(stored=True),
        organisation_type=ID(stored=True),
        applications=KEYWORD(stored=True, commas=True),
        application_names=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["application_names"]),
        trl=NUMERIC(stored=True, sortable=True),
        language=ID(stored=True),
        fetched_at=DATETIME(stored=True, sortable=True),
        last_changed_at=DATETIME(stored=True, sortable=True),
        published=DATETIME(stored=True, sortable=True),
    )


def _document(page: PageView) -> dict:
    applications = [tag.application for tag in page.tags]
    document = {
        "page_id": str(page.id),
        "url": page.final_url or page.url,
        "title": page.title or page.url,
        "text": page.text,
        "organisation": page.organisation or "",
        "organisation_id": page.organisation_id or "",
        "country": page.country or "",
        "organisation_type": page.organisation_type or "",
        "applications": ",".join(applications),
        "application_names": " ".join(APPLICATIONS[a].name for a in applications if a in APPLICATIONS),
        "language": page.language or "",
        "fetched_at": datetime.fromisoformat(page.fetched_at).replace(tzinfo=None),
        "last_changed_at": datetime.fromisoformat(page.last_changed_at).replace(tzinfo=None),
    }
    if page.trl is not None:
        document["trl"] = page.trl.level
    if page.published_date:
        document["published"] = datetime.fromisoformat(page.published_date)
    return {key: value for key, value in document.items() if value != ""}


def build_index(store: Store, index_dir: Path, rebuild: bool = False, embeddings: bool = True) -> int:
    """Add or update every page whose content changed since it was last indexed; returns how many.

    With `embeddings`, each page's vector is updated in the embedding index alongside.
    """
    if rebuild and index_dir.exists():
        shutil.rmtree(index_dir)
        store.forget_index()
    if index.exists_in(str(index_dir)):
        ix = index.open_dir(str(index_dir))
        _add_missing_fields(store, ix)
    else:
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(index_dir), make_schema())
        store.forget_index()
    page_ids = store.page_ids_to_index()
    vectors = EmbeddingIndex(index_dir) if embeddings else None
    _remove_departed(store, ix, vectors)
    for start in range(0, len(page_ids), WRITE_BATCH):
        batch = page_ids[start:start + WRITE_BATCH]
        writer = ix.writer(limitmb=128)
        try:
            for page in store.pages(batch):
                writer.update_document(**_document(page))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        if vectors is not None:
            vectors.update(store, batch)
            vectors.save()
        # Marked only once both indexes hold the batch, so a killed run re-indexes it next time.
        store.mark_indexed(batch)
    return len(page_ids)


def _add_missing_fields(store: Store, ix) -> None:
    """An index made before a field existed gains it, and every page is indexed again to fill it in."""
    missing = [(name, field) for name, field in make_schema().items() if name not in ix.schema]
    if not missing:
        return
    writer = ix.writer()
    for name, field_type in missing:
        writer.add_field(name, field_type)
    writer.commit()
    store.forget_index()


def _remove_departed(store: Store, ix, vectors: EmbeddingIndex | None) -> None:
    """Gone pages and newly found duplicates leave both indexes before anything is added."""
    departed = store.page_ids_to_unindex()
    if not departed:
        return
    writer = ix.writer()
    for page_id in departed:
        writer.delete_by_term("page_id", str(page_id))
    writer.commit()
    if vectors is not None:
        vectors.remove(departed)
        vectors.save()
    store.mark_unindexed(departed)


def indexed_document_count(index_dir: Path) -> int:
    if not index.exists_in(str(index_dir)):
        return 0
    with index.open_dir(str(index_dir)).searcher() as searcher:
        return searcher.doc_count()


@dataclass(frozen=True)
class SearchFilters:
    applications: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    countries: tuple[str, ...] = ()
    organisation_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()  # organisation ids
    published_after: date | None = None  # pages stating a publication date on or after it

    def as_query(self):
        clauses = []
        for fieldname, values in (
            ("applications", self.applications),
            ("country", self.countries),
            ("organisation_type", self.organisation_types),
            ("language", self.languages),
            ("organisation_id", self.organisations),
        ):
            if values:
                clauses.append(Or([Term(fieldname, value) for value in values]))
        if self.trl_min is not None or self.trl_max is not None:
            clauses.append(NumericRange("trl", self.trl_min or 1, self.trl_max or 9))
        if self.published_after is not None:
            clauses.append(DateRange("published", datetime.combine(self.published_after, time.min), None))
        return And(clauses) if clauses else None


@dataclass(frozen=True)
class Segment:
    """A piece of a snippet; `matched` pieces are the query's terms."""

    text: str
    matched: bool


@dataclass
class Hit:
    page_id: int
    url: str
    title: str
    organisation: str
    organisation_id: str
    country: str
    applications: list[str]
    trl: int | None
    language: str
    fetched_at: str
    score: float
    snippets: list[list[Segment]] = field(default_factory=list)
    published: str = ""  # YYYY-MM-DD the page states, or ""

    def as_dict(self) -> dict:
        return {
            "page_id": self.page_id, "url": self.url, "title": self.title, "organisation": self.organisation,
            "organisation_id": self.organisation_id, "country": self.country, "applications": self.applications,
            "trl": self.trl, "language": self.language, "fetched_at": self.fetched_at,
            "score": round(self.score, 4),
            "snippet": " … ".join("".join(segment.text for segment in snippet) for snippet in self.snippets),
        }


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    # Grouped by organisation: each group's best hits, for one page of groups; `hits` then lists them in order.
    groups: list[list[Hit]] | None = None
    total_groups: int = 0
    # Pages of the whole result set per application and country (a page counts once in each pair it has).
    application_country: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "query": self.query, "total": self.total, "results": [hit.as_dict() for hit in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in self.facets.items()},
        }


class _SegmentFormatter(highlight.Formatter):
    """Returns snippets as data, so escaping stays with the template (never markup built here)."""

    def format_fragment(self, fragment, replace=False):
        segments, position = [], fragment.startchar
        for token in sorted(fragment.matches, key=lambda t: t.startchar):
            if token.startchar < position:
                continue
            if token.startchar > position:
                segments.append(Segment(fragment.text[position:token.startchar], False))
            segments.append(Segment(fragment.text[token.startchar:token.endchar], True))
            position = token.endchar
        if position < fragment.endchar:
            segments.append(Segment(fragment.text[position:fragment.endchar], False))
        return segments

    def format(self, fragments, replace=False):
        return [self.format_fragment(fragment) for fragment in fragments]


def search(index_dir: Path, query: str, filters: SearchFilters | None = None, limit: int = 20,
           offset: int = 0, semantic: bool = True, sort: str = "relevance", group_by_organisation: bool = False,
           per_group: int = 3) -> SearchResults:
    """BM25F search, fused with embedding similarity (reciprocal rank fusion) when the embedding index exists.

    Semantic neighbours join the results only above a similarity floor, so a query never returns the whole
    corpus; facets and the total count cover exactly the fused result set. `sort` orders that whole set by
    relevance, TRL (highest first, unknown last), date (last changed, newest first) or published (the
    publication date pages state, newest first, pages stating none last), relevance breaking ties. Grouped by organisation, `offset` and `limit` count organisations, each with its `per_group` first
    hits, ordered by their first hit.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    if not index.exists_in(str(index_dir)):
        raise IndexMissingError(f"no search index in {index_dir}: run `scout index` first")
    filters = filters or SearchFilters()
    whole_set = sort != "relevance" or group_by_organisation
    ix = index.open_dir(str(index_dir))
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        parser = MultifieldParser(list(SEARCH_FIELDS), ix.schema, fieldboosts=FIELD_BOOSTS,
                                  group=OrGroup.factory(0.9))
        lexical_query = parser.parse(query) if query.strip() else Every()
        filter_query = filters.as_query()
        semantic_only: list[int] = []
        fused_scores: dict[int, float] = {}
        embeddings = EmbeddingIndex(index_dir) if semantic and query.strip() else None
        if embeddings is not None and len(embeddings):
            lexical = searcher.search(lexical_query, filter=filter_query, limit=LEXICAL_CANDIDATES)
            lexical_ids = [int(hit["page_id"]) for hit in lexical]
            neighbours = [(page_id, similarity) for page_id, similarity in embeddings.nearest(query, SEMANTIC_CANDIDATES)
                          if similarity >= SEMANTIC_FLOOR]
            fused_scores = _reciprocal_rank_fusion(lexical_ids, [page_id for page_id, _ in neighbours])
            semantic_only = [page_id for page_id, _ in neighbours if page_id not in set(lexical_ids)]
        candidates = Or([lexical_query, *(Term("page_id", str(page_id)) for page_id in semantic_only)])
        facets = {name: sorting.FieldFacet(name, allow_overlap=True) for name in FACET_FIELDS}
        results = searcher.search(candidates, filter=filter_query,
                                  limit=None if fused_scores or whole_set else offset + limit,
                                  groupedby=facets, terms=True)
        results.formatter = _SegmentFormatter()
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        ranked = _ranking(searcher, results, fused_scores, None if whole_set else offset + limit)
        ranked = _sorted(searcher, ranked, sort)
        groups, total_groups = None, 0
        if group_by_organisation:
            grouped = _grouped_by_organisation(results, ranked)
            total_groups = len(grouped)
            groups = [[_hit(WhooshHit(results, docnum), score) for docnum, score in group[:per_group]]
                      for group in grouped[offset:offset + limit]]
            hits = [hit for group in groups for hit in group]
        else:
            hits = [_hit(WhooshHit(results, docnum), score) for docnum, score in ranked[offset:offset + limit]]
        facet_counts = {
            name: sorted(((str(value), len(docs)) for value, docs in results.groups(name).items()
                          if value not in (None, "")), key=lambda item: (-item[1], item[0]))
            for name in FACET_FIELDS
        }
        # Levels are a scale, read in order, not a popularity list.
        facet_counts["trl"].sort(key=lambda item: int(item[0]))
        return SearchResults(query=query, total=len(results), hits=hits, facets=facet_counts, groups=groups,
                             total_groups=total_groups, application_country=_cross_counts(results))


def _cross_counts(results) -> dict[str, dict[str, int]]:
    countries = {value: set(docnums) for value, docnums in results.groups("country").items() if value}
    return {
        str(application): {str(country): len(in_country.intersection(docnums))
                           for country, in_country in countries.items() if in_country.intersection(docnums)}
        for application, docnums in results.groups("applications").items() if application
    }


def _ranking(searcher, results, fused_scores: dict[int, float], needed: int | None) -> list[tuple[int, float]]:
    """(docnum, score) best first: fused candidates, then further lexical matches in BM25 order.

    At least `needed` of them (when there are that many), or all when `needed` is None.
    """
    if not fused_scores:
        return [(docnum, float(score or 0.0)) for score, docnum in results.top_n]
    in_results = results.docs()
    docnums = {page_id: searcher.document_number(page_id=str(page_id)) for page_id in fused_scores}
    ranked = [(docnums[page_id], score) for page_id, score in sorted(fused_scores.items(), key=lambda item: -item[1])
              if docnums[page_id] in in_results]
    if needed is None or needed > len(ranked):
        seen = {docnum for docnum, _ in ranked}
        ranked += [(docnum, 0.0) for _score, docnum in results.top_n if docnum not in seen]
    return ranked


def _sorted(searcher, ranked: list[tuple[int, float]], sort: str) -> list[tuple[int, float]]:
    """Reorders by a sortable column; a stable sort, so relevance still orders what the column ties."""
    if sort == "relevance":
        return ranked
    if sort == "trl":
        levels = searcher.reader().column_reader("trl")
        # A page without a readiness cue reads as the column's out-of-range default: it goes last.
        return sorted(ranked, key=lambda item: -(levels[item[0]] if 1 <= (levels[item[0]] or 0) <= 9 else 0))
    if sort == "published":
        if "published" not in searcher.schema:  # an index older than the field: nothing is dated yet
            return ranked
        # Raw column values (microseconds), since a missing date has no datetime to translate to.
        dates = searcher.reader().column_reader("published", translate=False)
        return sorted(ranked, key=lambda item: _published_key(dates[item[0]]))
    # An index built before last_changed_at existed sorts by fetch date until `scout index` fills it in.
    fieldname = "last_changed_at" if "last_changed_at" in searcher.schema else "fetched_at"
    dates = searcher.reader().column_reader(fieldname)
    oldest = datetime.min
    return sorted(ranked, key=lambda item: dates[item[0]] or oldest, reverse=True)


def _published_key(key: int) -> tuple[int, int]:
    """Newest first, undated last: Whoosh gives a document without the field the largest raw key."""
    return (1, 0) if key >= _MISSING_DATE_KEY else (0, -key)


_MISSING_DATE_KEY = 2**63


def _grouped_by_organisation(results, ranked: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """The ranked hits per organisation, organisations in the order of their first hit."""
    organisation_of = {docnum: value for value, docnums in results.groups("organisation_id").items()
                       for docnum in docnums}
    groups: dict[object, list[tuple[int, float]]] = {}
    for docnum, score in ranked:
        # A page no organisation claims is a group of its own.
        groups.setdefault(organisation_of.get(docnum) or ("page", docnum), []).append((docnum, score))
    return list(groups.values())


def _reciprocal_rank_fusion(*rankings: list[int]) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, page_id in enumerate(ranking):
            fused[page_id] = fused.get(page_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _hit(result, score: float) -> Hit:
    fetched = result.get("fetched_at")
    published = result.get("published")
    text = result.get("text", "")
    return Hit(
        page_id=int(result["page_id"]),
        url=result["url"],
        title=result.get("title", ""),
        organisation=result.get("organisation", ""),
        organisation_id=result.get("organisation_id", ""),
        country=result.get("country", ""),
        applications=[a for a in result.get("applications", "").split(",") if a],
        trl=result.get("trl"),
        language=result.get("language", ""),
        fetched_at=fetched.isoformat() if fetched else "",
        published=published.date().isoformat() if published else "",
        score=score,
        # Semantic matches may share no word with the query: show their opening instead.
        snippets=result.highlights("text", top=2) or [[Segment(text[:SNIPPET_CHARS], False)]],
    )
