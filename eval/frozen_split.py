"""The freeze-and-check command line both labelled sets share (eval/split.py, eval/relevance/split.py).

A set is dealt once into named parts written as JSON lines beside the script; the hash of its test part is
then frozen in test.sha256, and from then on only --check runs (the test suite checks the same hash).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Callable


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_once(argv: list[str] | None, description: str, directory: Path, rows: Callable[[], list[dict]],
               deal: Callable[[list[dict]], dict[str, list[dict]]], part: str, unit: str, collection: str) -> int:
    """Deal ``rows()`` into ``directory`` and freeze its test.jsonl, or with --check compare it with its hash.

    ``part`` names the test part ("split", "half"), ``unit`` what a row is ("passages"), ``collection`` what a
    fresh start would make ("data set")."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help=f"only check the frozen test {part}")
    args = parser.parse_args(argv)
    frozen = directory / "test.sha256"
    if args.check:
        expected = frozen.read_text().split()[0]
        actual = digest(directory / "test.jsonl")
        print(f"test {part} unchanged" if actual == expected else f"test {part} changed: {actual} != {expected}")
        return 0 if actual == expected else 1
    if frozen.exists():
        print(f"{frozen} exists: the test {part} is frozen; delete it only to start a new {collection}",
              file=sys.stderr)
        return 1
    for name, dealt in deal(rows()).items():
        path = directory / f"{name}.jsonl"
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in dealt), encoding="utf-8")
        print(f"{name}: {len(dealt)} {unit}")
    frozen.write_text(f"{digest(directory / 'test.jsonl')}  test.jsonl\n")
    return 0
