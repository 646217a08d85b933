"""The tantivy backend (tantivy-py): BM25 per field, combined with FIELD_BOOSTS, facets by terms aggregations.

Text is analysed by retrieval.terms (see TERMS_TOKENIZER), so both backends hold the same terms. Filter and sort
values are fast fields.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

import tantivy
from tantivy import Occur, Query

from retrieval import query as q
from retrieval.engine import (
    FACETS, FIELD_BOOSTS, SORTS, EngineHit, EngineResults, IndexedPage, IndexMissingError, epoch_seconds,
)
from retrieval.terms import terms

TEXT_FIELDS = tuple(FIELD_BOOSTS)
MULTI_VALUED = ("application", "area")
NUMERIC_FIELDS = ("trl", *q.DATE_FIELDS)
SORT_FIELDS = {"date": "last_changed_at", "published": "published"}
WRITER_HEAP_BYTES = 200_000_000
# Tantivy's default ceiling on buckets; far above the organisations a scouting corpus holds.
MAX_FACET_VALUES = 65_000
# Text arrives as retrieval.terms joined by spaces: tantivy only splits it again, so both backends hold the same
# terms, which its own components could not give (no CJK bigrams, Snowball not Porter). One string per field
# crosses into Rust instead of one object per token.
TERMS_TOKENIZER = "scout_terms"
_TERMS_ANALYSER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def make_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("page_id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TERMS_TOKENIZER, index_option="position")
    for name in q.MATCH_FIELDS:
        # organisation_id is stored too: each hit reports it, and text fast fields cannot be read per hit.
        builder.add_text_field(name, stored=name == "organisation_id", fast=True, tokenizer_name="raw",
                               index_option="basic")
    for name in NUMERIC_FIELDS:
        # A page without the value has none: no range matches it and a descending sort puts it last.
        builder.add_integer_field(name, indexed=True, fast=True)
    return builder.build()


def _document(page: IndexedPage) -> tantivy.Document:
    document = tantivy.Document()
    document.add_integer("page_id", page.page_id)
    for name in TEXT_FIELDS:
        text = getattr(page, name)
        if text:
            document.add_text(name, " ".join(terms(text)))
    for name, values in (("application", page.applications), ("area", page.areas)):
        for value in values:
            document.add_text(name, value)
    for name in q.MATCH_FIELDS:
        if name not in MULTI_VALUED and getattr(page, name):
            document.add_text(name, getattr(page, name))
    if page.trl:
        document.add_integer("trl", page.trl)
    for name in q.DATE_FIELDS:
        if getattr(page, name) is not None:
            document.add_integer(name, epoch_seconds(getattr(page, name)))
    return document


class TantivyEngine:
    """One tantivy index directory; see retrieval.engine.SearchEngine."""

    def __init__(self, directory: Path, *, writable: bool = False):
        self.directory = Path(directory)
        if self.directory.is_dir() and tantivy.Index.exists(str(self.directory)):
            self._index = tantivy.Index.open(str(self.directory))
        elif writable:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(make_schema(), path=str(self.directory))
        else:
            raise IndexMissingError(f"no search index in {self.directory}: run `scout index` first")
        self._index.register_tokenizer(TERMS_TOKENIZER, _TERMS_ANALYSER)
        self._schema = self._index.schema
        # Reloaded by hand when meta.json changes: tantivy's watcher lags a commit by up to half a second.
        self._index.config_reader(reload_policy="Manual")
        self._seen_meta = self._meta_signature()
        self._writer = None

    # Writing

    def add(self, pages: Iterable[IndexedPage]) -> None:
        writer = self._open_writer()
        for page in pages:
            # Deletes apply to documents added before them, so this also replaces a copy added in this batch.
            writer.delete_documents_by_term("page_id", page.page_id)
            writer.add_document(_document(page))

    def delete(self, page_ids: Iterable[int]) -> None:
        writer = self._open_writer()
        for page_id in page_ids:
            writer.delete_documents_by_term("page_id", page_id)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._reload()

    def _open_writer(self):
        if self._writer is None:
            self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        return self._writer

    # Searching

    def search(self, query: q.Node | None, *, limit: int, offset: int = 0, sort: str = "relevance",
               facets: bool = False, changed_since: Sequence[date] = ()) -> EngineResults:
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        searcher = self._searcher()
        tantivy_query = self.translate(query)
        if sort == "trl":
            total, top = self._by_trl(searcher, tantivy_query, limit, offset)
        else:
            total, top = self._top(searcher, tantivy_query, limit, offset, SORT_FIELDS.get(sort))
        hits = [EngineHit(page_id=page_id, score=score,
                          organisation_id=(searcher.doc(address).get_first("organisation_id") or ""))
                for (score, address), page_id in zip(top, _page_ids(searcher, [a for _, a in top]))]
        results = EngineResults(total=total, hits=hits)
        if facets:
            results.facets, results.application_country = _facets(searcher, tantivy_query)
        for day in changed_since:
            # Counting natively is a fraction of a millisecond per day: no need for a range aggregation.
            since = Query.boolean_query([(Occur.Must, tantivy_query),
                                         (Occur.Must, self._translate(q.Since("last_changed_at", day)))])
            results.changed_since[day] = searcher.search(since, limit=1, count=True).count
        return results

    def matching_ids(self, query: q.Node | None) -> frozenset[int]:
        searcher = self._searcher()
        if searcher.num_docs == 0:
            return frozenset()
        # Ordered by page_id, each hit's key is its page id: no scoring and no second read.
        found = searcher.search(self.translate(query), limit=searcher.num_docs, count=False,
                                order_by_field="page_id")
        return frozenset(key for key, _ in found.hits)

    def count(self, query: q.Node | None) -> int:
        searcher = self._searcher()
        return searcher.search(self.translate(query), limit=1, count=True).count

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()  # also releases the writer's lock
            self._writer = None

    def _searcher(self):
        """The latest committed state: reloaded only when meta.json changed (a stat per search)."""
        signature = self._meta_signature()
        if signature != self._seen_meta:
            self._reload()
        return self._index.searcher()

    def _reload(self) -> None:
        self._seen_meta = self._meta_signature()
        self._index.reload()

    def _meta_signature(self) -> tuple[int, int, int]:
        try:
            status = os.stat(self.directory / "meta.json")
        except FileNotFoundError:
            return (0, 0, 0)
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def _top(self, searcher, query: Query, limit: int, offset: int, field: str | None):
        if limit <= 0:
            return searcher.search(query, limit=1, count=True).count, []
        if field is None:
            found = searcher.search(query, limit=limit, offset=offset, count=True)
            return found.count, [(float(score), address) for score, address in found.hits]
        # Tantivy orders by one fast field only, so equal dates keep index order instead of relevance.
        found = searcher.search(query, limit=limit, offset=offset, count=True, order_by_field=field,
                                order=tantivy.Order.Desc)
        return found.count, [(0.0, address) for _, address in found.hits]

    def _by_trl(self, searcher, query: Query, limit: int, offset: int):
        """Highest level first, relevance within a level: one ranked search per level the page window spans."""
        levels = _facets(searcher, query, names=("trl",))[0]["trl"]
        total = searcher.search(query, limit=1, count=True).count
        groups = [(self._and(query, self._trl_range(int(level), int(level))), n)
                  for level, n in sorted(levels.items(), key=lambda item: -int(item[0]))]
        groups.append((Query.boolean_query([(Occur.Must, query), (Occur.MustNot, self._trl_range(1, 9))]),
                       total - sum(levels.values())))
        top: list[tuple[float, object]] = []
        for group_query, size in groups:
            if len(top) >= limit:
                break
            if offset >= size:
                offset -= size
                continue
            found = searcher.search(group_query, limit=limit - len(top), offset=offset, count=False)
            top += [(float(score), address) for score, address in found.hits]
            offset = 0
        return total, top

    def _trl_range(self, low: int, high: int) -> Query:
        return Query.range_query(self._schema, "trl", tantivy.FieldType.Integer, low, high)

    @staticmethod
    def _and(*queries: Query) -> Query:
        return Query.boolean_query([(Occur.Must, part) for part in queries])

    # Query translation. A word that analyses to no term (a stopword) is None here: ignored beside other
    # parts, and a query left with nothing matches nothing (as in the Whoosh backend).

    def translate(self, node: q.Node | None) -> Query:
        if node is None:
            return Query.all_query()
        translated = self._translate(node)
        return Query.empty_query() if translated is None else translated

    def _translate(self, node: q.Node) -> Query | None:
        if isinstance(node, q.Word):
            return self._text_query(terms(node.text))
        if isinstance(node, q.Phrase):
            return self._text_query([term for word in node.words for term in terms(word)])
        if isinstance(node, q.All):
            return self._all(node.parts)
        if isinstance(node, q.Any):
            parts = [part for part in map(self._translate, node.parts) if part is not None]
            return Query.boolean_query([(Occur.Should, part) for part in parts]) if parts else None
        if isinstance(node, q.Not):
            return self._all((node,))
        if isinstance(node, q.Match):
            if not node.values:
                return Query.empty_query()
            return Query.term_set_query(self._schema, node.field, list(node.values))
        if isinstance(node, q.Range):
            return self._trl_range(max(node.low, 1), node.high)
        if isinstance(node, q.Since):
            return Query.range_query(self._schema, node.field, tantivy.FieldType.Integer,
                                     max(epoch_seconds(node.day), 1), None)
        if isinstance(node, q.PageIds):
            if not node.ids:
                return Query.empty_query()
            return Query.term_set_query(self._schema, "page_id", sorted(node.ids))
        raise TypeError(f"not a query node: {node!r}")

    def _all(self, parts: tuple[q.Node, ...]) -> Query | None:
        required = [translated for part in parts if not isinstance(part, q.Not)
                    for translated in [self._translate(part)] if translated is not None]
        excluded = [translated for part in parts if isinstance(part, q.Not)
                    for translated in [self._translate(part.part)] if translated is not None]
        if not required and not excluded:
            return None
        clauses = [(Occur.Must, part) for part in required or [Query.all_query()]]
        return Query.boolean_query(clauses + [(Occur.MustNot, part) for part in excluded])

    def _text_query(self, query_terms: list[str]) -> Query | None:
        if not query_terms:
            return None
        if len(query_terms) == 1:
            per_field = [Query.term_query(self._schema, name, query_terms[0]) for name in TEXT_FIELDS]
        else:
            per_field = [Query.phrase_query(self._schema, name, query_terms) for name in TEXT_FIELDS]
        return Query.boolean_query([(Occur.Should, Query.boost_query(part, FIELD_BOOSTS[name]))
                                    for name, part in zip(TEXT_FIELDS, per_field)])


def _page_ids(searcher, addresses: list) -> list[int]:
    return searcher.fast_field_values("page_id", addresses) if addresses else []


def _facets(searcher, query: Query, names: Iterable[str] = FACETS):
    """Counts per value of each facet over every page `query` matches, and application -> country -> pages."""
    aggregations = {name: {"terms": {"field": name, "size": MAX_FACET_VALUES}} for name in names}
    if "application" in aggregations:
        aggregations["application"]["aggs"] = {
            "country": {"terms": {"field": "country", "size": MAX_FACET_VALUES}}}
    answer = searcher.aggregate(query, aggregations)
    facets = {name: {_key(bucket["key"]): bucket["doc_count"] for bucket in answer.get(name, {}).get("buckets", [])}
              for name in names}
    crossed = {
        _key(bucket["key"]): {_key(inner["key"]): inner["doc_count"] for inner in bucket["country"]["buckets"]}
        for bucket in answer.get("application", {}).get("buckets", []) if bucket["country"]["buckets"]
    }
    return facets, crossed


def _key(key) -> str:
    """Bucket keys of integer fields come back as numbers (sometimes floats): "7", not "7.0"."""
    return str(int(key)) if isinstance(key, (int, float)) else str(key)
