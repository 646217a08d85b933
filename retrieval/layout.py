"""Where a data directory's search index lives on disk; the one layout the index writer and readers share.

    index/
      CURRENT              {"generation": "gen-000007", "backend": "whoosh"}
      gen-000007/engine/   the search engine's files
      gen-000007/vectors/  the vector store's files
      gen-000008.building/ a rebuild under way (or left by a killed one)

A rebuild writes a whole new generation aside and then replaces CURRENT in one rename, so readers see either
the old index or the new one, never a half-built one. Readers re-read CURRENT for every search (one small
file), so they follow a swap without a restart; a reader that fails on a generation just replaced should read
CURRENT again and retry once, since the writer removes the old generation after the swap.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from retrieval.engine import BACKENDS, IndexMissingError

CURRENT_FILE = "CURRENT"
BUILDING_SUFFIX = ".building"
ENGINE_DIR = "engine"
VECTORS_DIR = "vectors"
_GENERATION = re.compile(r"gen-(\d{6,})")
# What the Whoosh index and embeddings file Scout wrote before generations existed leave in index_dir.
_OLD_FORMAT_FILES = re.compile(r"(_?MAIN_.*|.*\.toc|.*\.seg|embeddings(\.partial)?\.npz)")


@dataclass(frozen=True)
class IndexLocation:
    """One generation of the index: which backend built it and where its parts are."""

    backend: str
    engine_dir: Path
    vectors_dir: Path
    generation: str  # "gen-000007"

    @property
    def number(self) -> int:
        return generation_number(self.generation)

    @property
    def directory(self) -> Path:
        return self.engine_dir.parent


def generation_name(number: int) -> str:
    return f"gen-{number:06d}"


def generation_number(name: str) -> int:
    match = _GENERATION.fullmatch(name.removesuffix(BUILDING_SUFFIX))
    if match is None:
        raise ValueError(f"not an index generation: {name!r}")
    return int(match.group(1))


def location(index_dir: Path, generation: str, backend: str) -> IndexLocation:
    directory = index_dir / generation
    return IndexLocation(backend=backend, engine_dir=directory / ENGINE_DIR, vectors_dir=directory / VECTORS_DIR,
                         generation=generation)


def building_location(index_dir: Path, number: int, backend: str) -> IndexLocation:
    """Where generation `number` is built before it is renamed into place."""
    return location(index_dir, generation_name(number) + BUILDING_SUFFIX, backend)


def current_index(index_dir: Path) -> IndexLocation:
    """The generation searches should read now; raises IndexMissingError saying what to run when there is none."""
    pointer = index_dir / CURRENT_FILE
    try:
        recorded = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if is_old_format(index_dir):
            raise IndexMissingError(
                f"the search index in {index_dir} was made by an older Scout: run `scout index` (it rebuilds)"
            ) from None
        raise IndexMissingError(f"no search index in {index_dir}: run `scout index` first") from None
    except (OSError, ValueError) as exc:
        raise IndexMissingError(f"{pointer} is unreadable ({exc}): run `scout index --rebuild`") from None
    generation, backend = _valid_pointer(recorded, pointer)
    found = location(index_dir, generation, backend)
    if not found.directory.is_dir():
        raise IndexMissingError(f"{pointer} names {generation}, which is missing: run `scout index --rebuild`")
    return found


def _valid_pointer(recorded: object, pointer: Path) -> tuple[str, str]:
    if isinstance(recorded, dict):
        generation, backend = recorded.get("generation"), recorded.get("backend")
        if isinstance(generation, str) and _GENERATION.fullmatch(generation) and backend in BACKENDS:
            return generation, backend
    raise IndexMissingError(f"{pointer} does not name a generation and backend: run `scout index --rebuild`")


def is_old_format(index_dir: Path) -> bool:
    """Whether index_dir holds an index written before generations (Whoosh files and embeddings.npz in place)."""
    return bool(old_format_files(index_dir)) and not (index_dir / CURRENT_FILE).exists()


def old_format_files(index_dir: Path) -> list[Path]:
    if not index_dir.is_dir():
        return []
    return [path for path in index_dir.iterdir() if path.is_file() and _OLD_FORMAT_FILES.fullmatch(path.name)]


def switch_current(index_dir: Path, generation: str, backend: str) -> IndexLocation:
    """Points CURRENT at `generation` in one atomic rename, durable once this returns."""
    pointer = index_dir / CURRENT_FILE
    partial = index_dir / (CURRENT_FILE + ".partial")
    with open(partial, "w", encoding="utf-8") as file:
        json.dump({"generation": generation, "backend": backend}, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, pointer)
    fsync_directory(index_dir)  # so the rename itself survives a power cut
    return location(index_dir, generation, backend)


def generations(index_dir: Path) -> list[Path]:
    """Every generation directory, finished or being built, oldest first."""
    if not index_dir.is_dir():
        return []
    found = []
    for path in index_dir.iterdir():
        try:
            found.append((generation_number(path.name), path.name, path))
        except ValueError:
            continue
    return [path for _, _, path in sorted(found) if path.is_dir()]


def next_generation_number(index_dir: Path) -> int:
    """One above every generation present, so a new build never reuses a name a reader might still hold."""
    numbers = [generation_number(path.name) for path in generations(index_dir)]
    return max(numbers, default=0) + 1


def fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
