"""The Whoosh backend (whoosh-reloaded): BM25F over the text fields, filters and facets from per-searcher arrays.

Whoosh rebuilds a facet's per-document values for every search, which dominated query time; here one searcher
stays open and the per-document values of every facet field are read once into numpy arrays per index
generation, so a search pays only for its own matches.
"""

from __future__ import annotations

import math
import threading
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from whoosh import index, query as wq, scoring
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.reading import SegmentReader
from whoosh.sorting import FieldFacet, MultiFacet, ScoreFacet

from retrieval import query as q
from retrieval.engine import (
    FACETS, FIELD_BOOSTS, SORTS, EngineHit, EngineResults, IndexedPage, IndexMissingError, epoch_seconds,
)
from retrieval.terms import terms

TEXT_FIELDS = tuple(FIELD_BOOSTS)
MULTI_VALUED = ("application", "area")
SORT_FIELDS = {"trl": "trl", "date": "last_changed_at", "published": "published"}
WRITER_LIMIT_MB = 256
# Segments of about the same size (one power of MERGE_FACTOR) are merged once MERGE_FACTOR of them exist, so
# each page is rewritten about log(pages) times over a rebuild instead of on most commits.
MERGE_FACTOR = 8


class ScoutTokenizer(Tokenizer):
    """retrieval.terms as a Whoosh analyser, so the index holds exactly the terms queries are built from."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # No character offsets: snippets are made from the store, never from the index.
        for position, term in enumerate(terms(value)):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            yield token


def make_schema() -> Schema:
    analyser = ScoutTokenizer()
    text_fields = {name: TEXT(analyzer=analyser, phrase=True) for name in TEXT_FIELDS}
    keyword_fields = {name: KEYWORD(commas=True, lowercase=False) if name in MULTI_VALUED else ID()
                      for name in q.MATCH_FIELDS}
    # Missing numbers are 0, so a descending sort puts them last and no range (>= 1) matches them.
    numeric_fields = {name: NUMERIC(int, bits=64, sortable=True)
                      for name in ("trl", *q.DATE_FIELDS)}
    return Schema(page_id=NUMERIC(int, bits=64, unique=True, stored=True, sortable=True),
                  **text_fields, **keyword_fields, **numeric_fields)


def _document(page: IndexedPage) -> dict:
    document = {
        "page_id": page.page_id, "title": page.title, "text": page.text, "organisation": page.organisation,
        "application_names": page.application_names,
        "application": ",".join(page.applications), "area": ",".join(page.areas),
        "trl": page.trl or 0, "last_changed_at": epoch_seconds(page.last_changed_at),
        "published": epoch_seconds(page.published),
    }
    for name in q.MATCH_FIELDS:
        if name not in MULTI_VALUED:
            document[name] = getattr(page, name)
    return {name: value for name, value in document.items() if value != ""}


class WhooshEngine:
    """One Whoosh index directory; see retrieval.engine.SearchEngine."""

    def __init__(self, directory: Path, *, writable: bool = False):
        self.directory = Path(directory)
        if index.exists_in(str(self.directory)):
            self._index = index.open_dir(str(self.directory))
        elif writable:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._index = index.create_in(str(self.directory), make_schema())
        else:
            raise IndexMissingError(f"no search index in {self.directory}: run `scout index` first")
        self._lock = threading.Lock()  # web requests share one engine across threads
        self._searcher = None
        self._columns: FacetColumns | None = None
        self._writer = None
        self._written: set[int] = set()  # page ids added by the open writer, not yet committed

    # Writing

    def add(self, pages: Iterable[IndexedPage]) -> None:
        for page in pages:
            if page.page_id in self._written:
                # Whoosh deletes only committed documents, so a second version in one batch needs a flush first.
                self._flush()
            self._open_writer().update_document(**_document(page))
            self._written.add(page.page_id)

    def delete(self, page_ids: Iterable[int]) -> None:
        for page_id in page_ids:
            if page_id in self._written:
                self._flush()
            self._open_writer().delete_by_term("page_id", page_id)

    def commit(self) -> None:
        self._flush()

    def _open_writer(self):
        if self._writer is None:
            self._writer = self._index.writer(limitmb=WRITER_LIMIT_MB, procs=1)
        return self._writer

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.commit(mergetype=_merge_tiers)
            self._writer = None
            self._written.clear()

    # Searching

    def search(self, query: q.Node | None, *, limit: int, offset: int = 0, sort: str = "relevance",
               facets: bool = False, changed_since: Sequence[date] = ()) -> EngineResults:
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        searcher, columns = self._current()
        whoosh_query = translate(query)
        matched = (np.fromiter(searcher.docs_for_query(whoosh_query), dtype=np.int64)
                   if facets or changed_since else None)
        wanted = offset + limit
        top = _top(searcher, whoosh_query, wanted, sort) if wanted > 0 else []
        total = len(matched) if matched is not None else _count(searcher, query, whoosh_query)
        hits = [EngineHit(page_id=columns.page_id(docnum), score=score,
                          organisation_id=columns.value("organisation_id", docnum))
                for score, docnum in top[offset:wanted]]
        results = EngineResults(total=total, hits=hits)
        if facets:
            results.facets = columns.counts(matched)
            results.application_country = columns.application_country(matched)
        if changed_since:
            changed = columns.last_changed[matched]
            results.changed_since = {day: int(np.count_nonzero(changed >= epoch_seconds(day))) for day in changed_since}
        return results

    def matching_ids(self, query: q.Node | None) -> frozenset[int]:
        searcher, columns = self._current()
        docnums = np.fromiter(searcher.docs_for_query(translate(query)), dtype=np.int64)
        return frozenset(columns.page_ids[docnums].tolist())

    def count(self, query: q.Node | None) -> int:
        searcher, _ = self._current()
        return _count(searcher, query, translate(query))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
            self._written.clear()
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._columns = None

    def _current(self):
        """The open searcher, replaced when a writer committed since (a cheap generation check)."""
        with self._lock:
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers whose deletions changed, so a replaced page
                # would still be found under its old version. Not closed either: a search in another thread
                # may still read it; it closes when the last one lets go.
                self._searcher = None
            if self._searcher is None:
                searcher = self._index.searcher(weighting=scoring.BM25F())
                self._columns = _read_columns(searcher.reader())
                self._searcher = searcher
            return self._searcher, self._columns


def _top(searcher, whoosh_query: wq.Query, wanted: int, sort: str) -> list[tuple[float, int]]:
    """(score, docnum) of the first `wanted` matches in the order of `sort`."""
    if sort == "relevance":
        return [(float(score), docnum) for score, docnum in searcher.search(whoosh_query, limit=wanted).top_n]
    # Descending by the column, then best score first among equal values: each key is (value, -score).
    order = MultiFacet([FieldFacet(SORT_FIELDS[sort], reverse=True), ScoreFacet()])
    results = searcher.search(whoosh_query, limit=wanted, sortedby=order)
    return [(-float(key[1]), docnum) for key, docnum in results.top_n]


def _count(searcher, query: q.Node | None, whoosh_query: wq.Query) -> int:
    if query is None:
        return searcher.doc_count()
    return sum(1 for _ in searcher.docs_for_query(whoosh_query))


class FacetColumns:
    """Each facet field's values per document of one searcher, as arrays, to count any set of matches fast."""

    def __init__(self, size: int):
        self.size = size
        self.page_ids = np.zeros(size, dtype=np.int64)
        self.last_changed = np.zeros(size, dtype=np.int64)  # epoch seconds
        self._values: dict[str, list[str]] = {name: [] for name in FACETS}
        self._pairs: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {name: ([], []) for name in FACETS}
        self._docs: dict[str, np.ndarray] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._per_doc: dict[str, np.ndarray] = {}

    def add(self, name: str, value: str, docnums: np.ndarray) -> None:
        code = len(self._values[name])
        self._values[name].append(value)
        docs, codes = self._pairs[name]
        docs.append(docnums)
        codes.append(np.full(len(docnums), code, dtype=np.int64))

    def seal(self) -> None:
        for name, (docs, codes) in self._pairs.items():
            self._docs[name] = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
            self._codes[name] = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
            if name not in MULTI_VALUED:
                per_doc = np.full(self.size, -1, dtype=np.int64)
                per_doc[self._docs[name]] = self._codes[name]
                self._per_doc[name] = per_doc

    def page_id(self, docnum: int) -> int:
        return int(self.page_ids[docnum])

    def value(self, name: str, docnum: int) -> str:
        code = self._per_doc[name][docnum]
        return self._values[name][code] if code >= 0 else ""

    def counts(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        mask = self._mask(matched)
        counts = {}
        for name, values in self._values.items():
            per_value = np.bincount(self._codes[name][mask[self._docs[name]]], minlength=len(values))
            counts[name] = {values[code]: int(n) for code in np.flatnonzero(per_value) for n in [per_value[code]]}
        return counts

    def application_country(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        mask = self._mask(matched)
        docs, applications = self._docs["application"], self._codes["application"]
        countries = self._per_doc["country"][docs]
        chosen = mask[docs] & (countries >= 0)
        width = max(len(self._values["country"]), 1)
        pairs = np.bincount(applications[chosen] * width + countries[chosen])
        crossed: dict[str, dict[str, int]] = {}
        for code in np.flatnonzero(pairs):
            application, country = divmod(int(code), width)
            crossed.setdefault(self._values["application"][application], {})[self._values["country"][country]] = \
                int(pairs[code])
        return crossed

    def _mask(self, matched: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[matched] = True
        return mask


def _read_columns(reader) -> FacetColumns:
    size = reader.doc_count_all()
    columns = FacetColumns(size)
    if size == 0:  # an EmptyReader has no columns to read
        columns.seal()
        return columns
    columns.page_ids = _numeric_column(reader, "page_id", size)
    columns.last_changed = _numeric_column(reader, "last_changed_at", size)
    for name in q.MATCH_FIELDS:
        for value in reader.lexicon(name) if name in reader.schema else ():
            docnums = np.fromiter(reader.postings(name, value).all_ids(), dtype=np.int64)
            columns.add(name, value.decode("utf-8"), docnums)
    levels = _numeric_column(reader, "trl", size)
    for level in range(1, 10):
        columns.add("trl", str(level), np.flatnonzero(levels == level))
    columns.seal()
    return columns


def _numeric_column(reader, name: str, size: int) -> np.ndarray:
    return np.fromiter(reader.column_reader(name), dtype=np.int64, count=size)


def _merge_tiers(writer, segments):
    """Merges segments whose document counts share a power of MERGE_FACTOR, once MERGE_FACTOR of them exist."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tier = int(math.log(max(segment.doc_count_all(), 1), MERGE_FACTOR))
        tiers.setdefault(tier, []).append(segment)
    kept = []
    for tier_segments in tiers.values():
        if len(tier_segments) < MERGE_FACTOR:
            kept.extend(tier_segments)
            continue
        for segment in tier_segments:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    return kept


# Query translation. A word that analyses to no term (a stopword) is None here: ignored beside other parts, and
# a query left with nothing matches nothing.

def translate(node: q.Node | None) -> wq.Query:
    if node is None:
        return wq.Every()
    translated = _translate(node)
    return wq.NullQuery if translated is None else translated


def _translate(node: q.Node) -> wq.Query | None:
    if isinstance(node, q.Word):
        return _text_query(terms(node.text))
    if isinstance(node, q.Phrase):
        return _text_query([term for word in node.words for term in terms(word)])
    if isinstance(node, q.All):
        return _all(node.parts)
    if isinstance(node, q.Any):
        parts = [part for part in map(_translate, node.parts) if part is not None]
        return wq.Or(parts) if parts else None
    if isinstance(node, q.Not):
        return _all((node,))
    if isinstance(node, q.Match):
        # Filters add a constant, as tantivy's set queries do, so they never reorder pages by BM25 of an id.
        if not node.values:
            return wq.NullQuery
        return wq.ConstantScoreQuery(wq.Or([wq.Term(node.field, value) for value in node.values]))
    if isinstance(node, q.Range):
        return wq.NumericRange(node.field, max(node.low, 1), node.high)
    if isinstance(node, q.Since):
        return wq.NumericRange(node.field, max(epoch_seconds(node.day), 1), None)
    if isinstance(node, q.PageIds):
        if not node.ids:
            return wq.NullQuery
        return wq.ConstantScoreQuery(wq.Or([wq.Term("page_id", page_id) for page_id in sorted(node.ids)]))
    raise TypeError(f"not a query node: {node!r}")


def _all(parts: tuple[q.Node, ...]) -> wq.Query | None:
    required = [translated for part in parts if not isinstance(part, q.Not)
                for translated in [_translate(part)] if translated is not None]
    excluded = [translated for part in parts if isinstance(part, q.Not)
                for translated in [_translate(part.part)] if translated is not None]
    if not required and not excluded:
        return None
    # Not AndNot: it lets excluded pages through after an intersection over several segments.
    return wq.And((required or [wq.Every()]) + [wq.Not(part) for part in excluded])


def _text_query(query_terms: list[str]) -> wq.Query | None:
    if not query_terms:
        return None
    if len(query_terms) == 1:
        return wq.Or([wq.Term(name, query_terms[0], boost=boost) for name, boost in FIELD_BOOSTS.items()])
    return wq.Or([wq.Phrase(name, query_terms, boost=boost) for name, boost in FIELD_BOOSTS.items()])
