"""The passage vector store: one normalised float32 row per passage, memory-mapped, appended in place.

Layout of a store directory (`S` is the current segment number):

    manifest.json        {"generation", "segment", "rows", "deleted", "dimensions"}: what is committed
    S.vectors            rows × DIMENSIONS float32
    S.page_ids           int64 per row
    S.starts, S.ends     int32 per row: the passage's character span in the page text
    S.deleted            int64 row numbers, appended as rows are replaced or deleted (tombstones)
    writer.lock          held (flock) by the one writer

Every file is only ever appended to; the manifest, written last (after the data files are fsynced) with a
temporary file and os.replace, says how many rows and tombstones are committed. Readers map exactly that
many, so they never see rows appended after it; a writer killed mid-append leaves a tail past the counts,
which the next writable open truncates. Compaction writes segment S+1 without deleted rows and switches to
it by the same manifest replacement; readers still holding S keep their mappings (unlinked files stay
readable while mapped) and move to S+1 at their next refresh.

Invariant the search relies on: a page's live rows are consecutive, because `add` appends all of a page's
passages at once and deletes its earlier rows. So the best passage per page is a max over runs of rows.

Search has two stages above EXACT_BELOW live passages. Each snapshot holds one vector per page (the
normalised mean of its live passage rows, computed once when the snapshot is mapped); a query scores that page
matrix (after the filter), takes the best candidate pages (CANDIDATE_FACTOR × limit, at least MIN_CANDIDATE_PAGES) and scores only their passages exactly, so the
answer is still each page's best passage and its true similarity, but only the pages the mean puts in the top
candidates can be returned. Measured by benchmarks/vectors.py (synthetic application-centroid vectors, 8
passages per page, 2 cores shared at load ~5), 100k pages / 761k passages: top-10 p50/p95 281/412 ms exact,
about 32/44 ms two-stage; top 50 139/228 ms exact, 32/40 ms two-stage, recall@50 of pages 0.99 and every
returned page with its exact best passage. Mapping a snapshot (computing the page vectors: a sparse
run-membership product over the mapped rows) takes about 1 s at 761k passages, once per commit, and the page
matrix costs 4 bytes × 384 per page of memory (150 MB at 100k pages).

Below EXACT_BELOW passages every allowed row is scored, which is fast enough there and keeps answers exact.

There is no ANN index, by measurement (benchmarks/vectors.py, random 384-d vectors): a usearch HNSW index took
156 s to build for 100k passages (641/s: ~26 minutes for 1M, again after every compaction) and its answers held
13% of the exact top 10 pages; usearch's own brute force was no faster than this float32 product.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np

from indexer.analysis.embedding_model import DIMENSIONS
from retrieval.layout import fsync_directory

MANIFEST = "manifest.json"
LOCK = "writer.lock"
FORMAT = 1
# Compact once tombstones exceed this share of rows: below it the dead rows cost at most ~40% more scan time
# and disk, above it a rewrite (sequential, about a second per 100k passages) pays for itself within a
# reindex of a third of the corpus, which is what a recrawl that changed many pages amounts to.
COMPACT_FRACTION = 0.30
CHUNK_ROWS = 32_768  # rows gathered per step: 48 MB of copied vectors, so a filtered search's memory stays bounded
# A filter that leaves fewer than this share of rows gathers those rows instead of scanning every row: gathering
# copies, so it pays only for small shares (at 10% of 1M rows it took 88% of a full scan's time).
GATHER_FRACTION = 0.05
# Below this many live passages a full exact scan is already fast (about 20 ms) and answers stay exact.
EXACT_BELOW = 50_000
# Pages the page-vector stage passes to exact passage scoring: CANDIDATE_FACTOR × limit, at least
# MIN_CANDIDATE_PAGES. At 100k pages (benchmarks/vectors.py) 400 candidates kept recall@50 of pages at 0.93,
# 800 at 0.99 (recall@10 0.99) for 5 ms more; 1,600 reached 1.00 for another 5 ms.
CANDIDATE_FACTOR = 16
MIN_CANDIDATE_PAGES = 800


@dataclass(frozen=True)
class PassageHit:
    page_id: int
    similarity: float  # cosine similarity of the page's best passage
    start: int  # that passage's character span in the page text
    end: int


class StoreLockedError(RuntimeError):
    """Another process holds this store open for writing."""


# Column files: dtype and values per row. "deleted" holds row numbers (tombstones), the others one value per row.
_COLUMNS = {"vectors": (np.float32, DIMENSIONS), "page_ids": (np.int64, 1), "starts": (np.int32, 1),
            "ends": (np.int32, 1), "deleted": (np.int64, 1)}
ROW_COLUMNS = ("vectors", "page_ids", "starts", "ends")


def _file(directory: Path, segment: int, column: str) -> Path:
    return directory / f"{segment}.{column}"


def _row_bytes(column: str) -> int:
    dtype, width = _COLUMNS[column]
    return np.dtype(dtype).itemsize * width


def _empty_manifest() -> dict:
    return {"format": FORMAT, "generation": 0, "segment": 0, "rows": 0, "deleted": 0, "dimensions": DIMENSIONS}


def _read_manifest(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        return None
    if manifest.get("dimensions") != DIMENSIONS:
        raise ValueError(f"{directory} holds {manifest.get('dimensions')}-dimensional vectors, not {DIMENSIONS}")
    return manifest


def _write_manifest(directory: Path, manifest: dict) -> None:
    partial = directory / f"{MANIFEST}.partial"
    with open(partial, "w") as handle:
        json.dump(manifest, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, directory / MANIFEST)
    fsync_directory(directory)


def _map(path: Path, column: str, rows: int) -> np.ndarray:
    """The first `rows` rows of a column file, memory-mapped read-only (an empty array for none)."""
    dtype, width = _COLUMNS[column]
    shape = (rows, width) if width > 1 else (rows,)
    if rows == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=shape)


class _Snapshot:
    """One committed state, mapped, with what search derives from it once rather than per query."""

    def __init__(self, directory: Path, manifest: dict):
        self.manifest = manifest
        segment, rows = manifest["segment"], manifest["rows"]
        self.vectors = _map(_file(directory, segment, "vectors"), "vectors", rows)
        self.page_ids = np.asarray(_map(_file(directory, segment, "page_ids"), "page_ids", rows))
        self.starts = _map(_file(directory, segment, "starts"), "starts", rows)
        self.ends = _map(_file(directory, segment, "ends"), "ends", rows)
        deleted = np.fromfile(_file(directory, segment, "deleted"), dtype=np.int64,
                              count=manifest["deleted"]) if manifest["deleted"] else np.zeros(0, np.int64)
        self.live = np.ones(rows, dtype=bool)
        self.live[deleted] = False
        self.live_count = int(self.live.sum())
        # Runs of consecutive rows of one page; a page's live rows form one run (see the module docstring),
        # a run of its replaced rows next to it merges harmlessly since deleted rows never score.
        boundaries = np.flatnonzero(self.page_ids[1:] != self.page_ids[:-1]) + 1
        self.run_starts = np.concatenate([[0], boundaries]).astype(np.int64) if rows else np.zeros(0, np.int64)
        self.run_lengths = np.diff(np.append(self.run_starts, rows))
        self.run_pages = self.page_ids[self.run_starts]
        live_runs = np.add.reduceat(self.live, self.run_starts) > 0 if rows else np.zeros(0, bool)
        self.unique_pages = np.unique(self.run_pages[live_runs])
        self.run_live = live_runs
        self.live_runs = np.flatnonzero(live_runs)
        self.page_vectors = self._page_vectors() if self.live_count >= EXACT_BELOW else None

    def _page_vectors(self) -> np.ndarray:
        """One row per live run (in run order): the normalised mean of its live passage rows. A sparse
        run-by-row matrix of live flags times the mapped rows sums every run in one pass without copying the
        rows (0.6-1 s for 785k passages, where np.add.reduceat over 384 columns took 10 s). Imported here: only
        stores this large need scipy, and keyword-only searches start without it."""
        from scipy.sparse import csr_matrix

        indptr = np.append(self.run_starts, self.rows)
        membership = csr_matrix((self.live.astype(np.float32), np.arange(self.rows), indptr),
                                shape=(len(self.run_starts), self.rows))
        sums = np.asarray(membership[self.live_runs] @ np.asarray(self.vectors), dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return sums / np.maximum(norms, np.finfo(np.float32).tiny)

    def candidate_runs(self, query: np.ndarray, runs: np.ndarray, count: int) -> np.ndarray:
        """The `count` runs among `runs` (live, sorted) whose page vector is nearest the query, in run order."""
        positions = np.searchsorted(self.live_runs, runs)
        if len(runs) < GATHER_FRACTION * len(self.live_runs):
            scores = self.page_vectors[positions] @ query
        else:
            scores = (self.page_vectors @ query)[positions]
        return np.sort(runs[np.argpartition(-scores, count - 1)[:count]])

    @property
    def rows(self) -> int:
        return len(self.page_ids)

    def runs_allowed(self, allowed: frozenset[int] | None) -> np.ndarray:
        """Which runs belong to live, allowed pages."""
        if allowed is None:
            return self.run_live
        wanted = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
        return self.run_live & np.isin(self.run_pages, wanted)

    def nearest(self, query: np.ndarray, limit: int, allowed: frozenset[int] | None,
                floor: float) -> list[PassageHit]:
        if not self.rows or limit <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        runs = np.flatnonzero(self.runs_allowed(allowed))
        if not len(runs):
            return []
        candidates = max(CANDIDATE_FACTOR * limit, MIN_CANDIDATE_PAGES)
        if self.page_vectors is not None and len(runs) > candidates:
            runs = self.candidate_runs(query, runs, candidates)
        lengths = self.run_lengths[runs]
        if lengths.sum() < GATHER_FRACTION * self.rows:
            rows = _run_rows(self.run_starts[runs], lengths)
            similarities = _similarities(self.vectors, query, rows)
            similarities[~self.live[rows]] = -np.inf
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            best = np.maximum.reduceat(similarities, offsets)
        else:
            rows = None
            similarities = _similarities(self.vectors, query, None)
            similarities[~self.live] = -np.inf
            offsets = self.run_starts[runs]
            best = np.maximum.reduceat(similarities, self.run_starts)[runs]
        keep = np.flatnonzero(best >= floor)
        if len(keep) > limit:
            keep = keep[np.argpartition(-best[keep], limit - 1)[:limit]]
        keep = keep[np.lexsort((self.run_pages[runs[keep]], -best[keep]))]
        hits = []
        for position in keep:
            offset, length = offsets[position], lengths[position]
            within = offset + int(np.argmax(similarities[offset:offset + length]))
            row = within if rows is None else int(rows[within])
            hits.append(PassageHit(int(self.run_pages[runs[position]]), float(best[position]),
                                   int(self.starts[row]), int(self.ends[row])))
        return hits


def _run_rows(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The row numbers of these runs, concatenated, without a Python loop."""
    total = int(lengths.sum())
    run_of_row = np.repeat(np.arange(len(starts)), lengths)
    first_position = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return starts[run_of_row] + (np.arange(total) - first_position[run_of_row])


def _similarities(vectors: np.ndarray, query: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Dot products of the query with every row, or with these rows. Every row: one product over the
    mapping, which copies nothing (the pages stay in the shared page cache; many small products cost
    BLAS set-up per call). These rows: gathered CHUNK_ROWS at a time, since gathering copies."""
    if rows is None:
        return np.asarray(vectors) @ query
    out = np.empty(len(rows), dtype=np.float32)
    for begin in range(0, len(rows), CHUNK_ROWS):
        out[begin:begin + CHUNK_ROWS] = vectors[rows[begin:begin + CHUNK_ROWS]] @ query
    return out


class VectorStore:
    """A passage vector store directory, read-only (any number of processes) or writable (one process)."""

    _shared: ClassVar[dict[Path, VectorStore]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, directory: Path, *, writable: bool = False):
        self.directory = Path(directory)
        self.writable = writable
        self.loads = 0  # snapshots mapped so far: how tests see that an unchanged store is not reloaded
        self._manifest_stat: tuple[int, int, int] | None = None
        self._refresh_lock = threading.Lock()
        self._lock_handle: BinaryIO | None = None
        self._appenders: dict[str, BinaryIO] = {}
        if writable:
            self._open_writer()
        else:
            self._snapshot = self._load()

    # Reading

    @classmethod
    def shared(cls, directory: Path) -> VectorStore:
        """The process's one read-only store of `directory`, refreshed when a writer committed since."""
        key = Path(directory).resolve()
        with cls._shared_lock:
            store = cls._shared.get(key)
            if store is None:
                store = cls._shared[key] = cls(key)
        store.refresh()
        return store

    def refresh(self) -> bool:
        """Maps the latest commit if the manifest changed since the last look (a stat, nothing more)."""
        if self._stat() == self._manifest_stat:
            return False
        with self._refresh_lock:
            if self._stat() != self._manifest_stat:
                self._snapshot = self._load()
        return True

    def nearest(self, query_vector: np.ndarray, limit: int, *, allowed: frozenset[int] | None = None,
                floor: float = 0.0) -> list[PassageHit]:
        """The `limit` pages whose best passage is most similar to the (normalised) query, best first, each
        with that passage; only pages in `allowed` when given (filtered before choosing the top), only
        similarities >= floor. Exact below EXACT_BELOW passages; above it only the passages of the pages
        whose mean vector is among the nearest candidates are scored (see the module docstring)."""
        return self._snapshot.nearest(query_vector, limit, allowed, floor)

    def pages(self) -> int:
        return len(self._snapshot.unique_pages)

    def passages(self) -> int:
        return self._snapshot.live_count

    def page_ids(self) -> np.ndarray:
        """The ids of every page with committed passages, sorted."""
        return self._snapshot.unique_pages

    @property
    def generation(self) -> int:
        """Counts commits and compactions: what a cache of answers can be keyed on."""
        return self._snapshot.manifest["generation"]

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.directory / MANIFEST)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def _load(self) -> _Snapshot:
        # A compaction may unlink the segment between reading the manifest and mapping its files: read again.
        for _attempt in range(5):
            stat = self._stat()
            manifest = _read_manifest(self.directory) or _empty_manifest()
            try:
                snapshot = _Snapshot(self.directory, manifest)
            except FileNotFoundError:
                continue
            self._manifest_stat = stat
            self.loads += 1
            return snapshot
        raise RuntimeError(f"{self.directory} kept changing while being opened")

    # Writing

    def add(self, page_id: int, spans: list[tuple[int, int]], vectors: np.ndarray) -> None:
        """Replaces the page's passages with these (one span per vector); visible after `commit`."""
        self._require_writable()
        vectors = np.asarray(vectors, dtype=np.float32)
        if spans and vectors.shape != (len(spans), DIMENSIONS):
            raise ValueError(f"{len(spans)} spans need {len(spans)} × {DIMENSIONS} vectors, got {np.shape(vectors)}")
        self._delete_rows(page_id)
        if not spans:
            return
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.maximum(norms, np.finfo(np.float32).tiny)
        spans_array = np.asarray(spans, dtype=np.int32).reshape(-1, 2)
        first = self._rows
        self._append("vectors", vectors.astype(np.float32))
        self._append("page_ids", np.full(len(spans), page_id, dtype=np.int64))
        self._append("starts", np.ascontiguousarray(spans_array[:, 0]))
        self._append("ends", np.ascontiguousarray(spans_array[:, 1]))
        self._rows += len(spans)
        self._page_rows[int(page_id)] = (first, self._rows)

    def delete(self, page_ids: Iterable[int]) -> None:
        """Removes these pages' passages (unknown ids are ignored); visible after `commit`."""
        self._require_writable()
        for page_id in page_ids:
            self._delete_rows(page_id)

    def commit(self) -> None:
        """Makes every add and delete since the last commit durable and visible at once; compacts when
        deleted rows exceed COMPACT_FRACTION of all rows."""
        self._require_writable()
        self._publish()
        if self._deleted and self._deleted > COMPACT_FRACTION * self._rows:
            self.compact()

    def compact(self) -> None:
        """Rewrites the store without deleted rows into a new segment and switches to it atomically."""
        self._require_writable()
        self._publish()
        old = self._manifest["segment"]
        new = old + 1
        snapshot = self._snapshot
        live_rows = np.flatnonzero(snapshot.live)
        self._close_appenders()
        for column in ROW_COLUMNS:
            source = getattr(snapshot, column)
            with open(_file(self.directory, new, column), "wb") as handle:
                for begin in range(0, len(live_rows), CHUNK_ROWS):
                    handle.write(np.ascontiguousarray(source[live_rows[begin:begin + CHUNK_ROWS]]).tobytes())
                handle.flush()
                os.fsync(handle.fileno())
        _file(self.directory, new, "deleted").touch()
        self._manifest = {**self._manifest, "generation": self._manifest["generation"] + 1, "segment": new,
                          "rows": len(live_rows), "deleted": 0}
        _write_manifest(self.directory, self._manifest)
        self._remove_segment(old)
        self._snapshot = self._load()
        self._start_appending()

    def close(self) -> None:
        """Drops uncommitted changes' handles and the writer lock (committed data stays)."""
        self._close_appenders()
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def _require_writable(self) -> None:
        if not self.writable or self._lock_handle is None:
            raise PermissionError(f"vector store {self.directory} is open read-only")

    def _open_writer(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_handle = open(self.directory / LOCK, "ab")
        try:
            fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_handle.close()
            self._lock_handle = None
            raise StoreLockedError(f"another process is writing the vector store {self.directory}") from None
        manifest = _read_manifest(self.directory)
        if manifest is None:
            manifest = _empty_manifest()
            for column in _COLUMNS:
                _file(self.directory, 0, column).touch()
            _write_manifest(self.directory, manifest)
        self._manifest = manifest
        self._repair()
        self._snapshot = self._load()
        self._start_appending()

    def _repair(self) -> None:
        """Cuts rows and tombstones a killed writer appended past the manifest, and removes the files of a
        compaction that was killed before it switched segments."""
        segment = self._manifest["segment"]
        for column in _COLUMNS:
            count = self._manifest["deleted"] if column == "deleted" else self._manifest["rows"]
            path = _file(self.directory, segment, column)
            with open(path, "ab") as handle:
                handle.truncate(count * _row_bytes(column))
        for path in self.directory.iterdir():
            number = path.name.split(".", 1)[0]
            if number.isdigit() and int(number) != segment:
                path.unlink()

    def _start_appending(self) -> None:
        segment = self._manifest["segment"]
        self._appenders = {column: open(_file(self.directory, segment, column), "ab") for column in _COLUMNS}
        self._rows, self._deleted = self._manifest["rows"], self._manifest["deleted"]
        self._page_rows = self._live_page_rows()

    def _live_page_rows(self) -> dict[int, tuple[int, int]]:
        """page id -> (first row, one past its last) of its live rows, which are consecutive."""
        snapshot = self._snapshot
        live_rows = np.flatnonzero(snapshot.live)
        pages = snapshot.page_ids[live_rows]
        if not len(pages):
            return {}
        boundaries = np.flatnonzero(pages[1:] != pages[:-1]) + 1
        firsts = live_rows[np.concatenate([[0], boundaries])]
        lasts = live_rows[np.append(boundaries - 1, len(pages) - 1)] + 1
        return {int(page): (int(first), int(last))
                for page, first, last in zip(pages[np.concatenate([[0], boundaries])], firsts, lasts)}

    def _delete_rows(self, page_id: int) -> None:
        span = self._page_rows.pop(int(page_id), None)
        if span is not None:
            self._append("deleted", np.arange(*span, dtype=np.int64))
            self._deleted += span[1] - span[0]

    def _append(self, column: str, values: np.ndarray) -> None:
        self._appenders[column].write(values.tobytes())

    def _publish(self) -> None:
        """Fsyncs the appended data, then writes the manifest that makes it visible."""
        if self._rows == self._manifest["rows"] and self._deleted == self._manifest["deleted"]:
            return
        for handle in self._appenders.values():
            handle.flush()
            os.fsync(handle.fileno())
        self._manifest = {**self._manifest, "generation": self._manifest["generation"] + 1, "rows": self._rows,
                          "deleted": self._deleted}
        _write_manifest(self.directory, self._manifest)
        self._snapshot = self._load()

    def _close_appenders(self) -> None:
        for handle in self._appenders.values():
            handle.close()
        self._appenders = {}

    def _remove_segment(self, segment: int) -> None:
        for column in _COLUMNS:
            _file(self.directory, segment, column).unlink(missing_ok=True)
