"""Store → search index: the engine (BM25F, filters, facets) and the passage vectors, in generations.

An ordinary run updates the current generation in place, batch by batch: each batch is committed to the engine
and the vector store before the store marks it indexed, so a run killed midway leaves a searchable index and
the next run redoes only the unmarked batches. A rebuild (asked for, or forced by a missing index, one made by an
older Scout, or a change of search backend) writes a whole new generation aside and swaps it in with one atomic
rename of the CURRENT pointer (retrieval/layout.py): until then the old index answers, and a killed rebuild
leaves it untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from indexer.analysis.embedding_model import embed
from retrieval.engine import IndexedPage, IndexMissingError, SearchEngine, open_engine
from retrieval.layout import (
    IndexLocation, building_location, current_index, generation_name, generations, is_old_format, location,
    next_generation_number, old_format_files, switch_current,
)
from retrieval.passages import passages
from store import PageView, Store
from taxonomy import APPLICATIONS

if TYPE_CHECKING:
    from retrieval.vectors import VectorStore

log = logging.getLogger(__name__)

BATCH_PAGES = 500


def build_index(store: Store, index_dir: Path, backend: str, *, rebuild: bool = False, embeddings: bool = True,
                batch_pages: int = BATCH_PAGES) -> int:
    """Brings the index in `index_dir` up to date with the store; returns how many pages were (re)indexed.

    Without `embeddings` nothing is embedded: departed pages still leave the vector store, changed pages keep
    their earlier vectors (a rebuild carries the previous generation's over), and pages never embedded have
    none until `scout index --rebuild` runs with embeddings.
    """
    if batch_pages < 1:
        raise ValueError(f"batch_pages must be at least 1, not {batch_pages}")
    index_dir.mkdir(parents=True, exist_ok=True)
    current, reason = _current_or_why_not(index_dir, backend)
    # Writers hold the data directory's lock, so any other generation is debris of a killed run: a rebuild
    # killed while building (*.building) or between renaming its generation and switching CURRENT to it.
    _remove_all(path for path in generations(index_dir) if current is None or path.name != current.generation)
    if rebuild or reason:
        log.info("rebuilding the search index in %s: %s", index_dir, reason or "asked to")
        return _rebuild(store, index_dir, backend, current, embeddings, batch_pages)
    assert current is not None
    return _update(store, current, embeddings, batch_pages)


def _current_or_why_not(index_dir: Path, backend: str) -> tuple[IndexLocation | None, str]:
    """The current generation (None when unusable), and why it cannot be updated in place ("" when it can)."""
    try:
        current = current_index(index_dir)
    except IndexMissingError as exc:
        return None, "it was made by an older Scout" if is_old_format(index_dir) else f"there is none usable ({exc})"
    if current.backend != backend:
        return current, f"it was built with {current.backend} and the search_backend setting is now {backend}"
    return current, ""


def _update(store: Store, current: IndexLocation, embeddings: bool, batch_pages: int) -> int:
    with _opened(current) as (engine, vectors):
        departed = store.page_ids_to_unindex()
        if departed:
            engine.delete(departed)
            engine.commit()
            vectors.delete(departed)
            vectors.commit()
            store.mark_unindexed(departed)
        page_ids = store.page_ids_to_index()
        for batch in _batches(page_ids, batch_pages):
            _write(store, batch, engine, vectors if embeddings else None)
            # Marked only once the engine and the vectors hold the batch: a killed run redoes it next time.
            store.mark_indexed(batch)
    log.info("indexed %d new or changed pages and removed %d departed ones in %s", len(page_ids), len(departed),
             current.generation)
    return len(page_ids)


def _rebuild(store: Store, index_dir: Path, backend: str, previous: IndexLocation | None, embeddings: bool,
             batch_pages: int) -> int:
    number = next_generation_number(index_dir)
    building = building_location(index_dir, number, backend)
    building.directory.mkdir()
    page_ids = store.page_ids_to_index(rebuild=True)
    if not embeddings and previous is not None and previous.vectors_dir.is_dir():
        # Embedding is the slow part of a build: without it, keep the vectors there are (page ids are stable).
        shutil.copytree(previous.vectors_dir, building.vectors_dir)
    with _opened(building) as (engine, vectors):
        if not embeddings:
            vectors.delete(set(vectors.page_ids().tolist()) - set(page_ids))
            vectors.commit()
        done = 0
        for batch in _batches(page_ids, batch_pages):
            _write(store, batch, engine, vectors if embeddings else None)
            done += len(batch)
            log.info("rebuilding %s: %d of %d pages", building.generation, done, len(page_ids))
    finished = location(index_dir, generation_name(number), backend)
    os.rename(building.directory, finished.directory)
    switch_current(index_dir, finished.generation, backend)
    # The new generation holds every indexable page; a kill before these marks only costs an update next run.
    store.mark_unindexed(store.page_ids_to_unindex())
    store.mark_indexed(page_ids)
    _remove_all(path for path in generations(index_dir) if path.name != finished.generation)
    for path in old_format_files(index_dir):
        path.unlink()
    log.info("rebuilt the search index as %s with %s: %d pages", finished.generation, backend, len(page_ids))
    return len(page_ids)


def _write(store: Store, batch: list[int], engine: SearchEngine, vectors: VectorStore | None) -> None:
    """One batch into the engine and (when embedding) the vectors, each committed, so a later kill keeps it."""
    pages = store.pages(batch)
    engine.add(indexed_page(page) for page in pages)
    engine.commit()
    if vectors is not None:
        _embed_into(vectors, pages)
        vectors.commit()


def _embed_into(vectors: VectorStore, pages: list[PageView]) -> None:
    cut = {page.id: passages(page.title or "", page.text) for page in pages}
    # One embed call for the whole batch: the model batches internally and is much faster on many texts at once.
    embedded = embed([passage.text for page_passages in cut.values() for passage in page_passages])
    row = 0
    for page_id, page_passages in cut.items():
        rows = embedded[row:row + len(page_passages)]
        row += len(page_passages)
        vectors.add(page_id, [(passage.start, passage.end) for passage in page_passages],
                    np.asarray(rows, dtype=np.float32))


@contextmanager
def _opened(where: IndexLocation) -> Iterator[tuple[SearchEngine, VectorStore]]:
    """The generation's engine and vector store open for writing, both closed (and unlocked) afterwards."""
    from retrieval.vectors import VectorStore  # numpy memmaps; kept out of modules that only read the engine

    engine = open_engine(where.backend, where.engine_dir, writable=True)
    try:
        vectors = VectorStore(where.vectors_dir, writable=True)
        try:
            yield engine, vectors
        finally:
            vectors.close()
    finally:
        engine.close()


def indexed_page_count(index_dir: Path) -> int:
    """Pages the current generation holds; 0 when there is no usable index."""
    try:
        current = current_index(index_dir)
        engine = open_engine(current.backend, current.engine_dir)
    except IndexMissingError:
        return 0
    try:
        return engine.count(None)
    finally:
        engine.close()


def indexed_page(page: PageView) -> IndexedPage:
    """What the engine indexes of a stored page."""
    applications = tuple(dict.fromkeys(tag.application for tag in page.tags))
    known = [APPLICATIONS[a] for a in applications if a in APPLICATIONS]
    return IndexedPage(
        page_id=page.id,
        url=page.final_url or page.url,
        title=page.title or page.url,
        text=page.text,
        organisation=page.organisation or "",
        organisation_id=page.organisation_id or "",
        country=page.country or "",
        market=page.market or "",
        organisation_type=page.organisation_type or "",
        role=page.role or "",
        applications=applications,
        application_names=" ".join(info.name for info in known),
        areas=tuple(dict.fromkeys(area for info in known for area in info.areas)),
        trl=page.trl.level if page.trl is not None else None,
        language=page.language or "",
        fetched_at=_naive_utc(page.fetched_at),
        last_changed_at=_naive_utc(page.last_changed_at),
        published=_date(page.published_date),
    )


def _naive_utc(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _date(stamp: str | None) -> date | None:
    return date.fromisoformat(stamp[:10]) if stamp else None


def _batches(page_ids: list[int], size: int) -> list[list[int]]:
    return [page_ids[start:start + size] for start in range(0, len(page_ids), size)]


def _remove_all(paths) -> None:
    for path in list(paths):
        log.info("removing %s", path)
        shutil.rmtree(path)
