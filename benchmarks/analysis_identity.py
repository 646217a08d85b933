"""Does a change to the analysis's speed leave its output alone? Dump every output, then compare two dumps.

    PYTHONPATH=../old-checkout .venv/bin/python benchmarks/analysis_identity.py dump /tmp/before.jsonl
    PYTHONPATH=.               .venv/bin/python benchmarks/analysis_identity.py dump /tmp/after.jsonl
    .venv/bin/python benchmarks/analysis_identity.py compare /tmp/before.jsonl /tmp/after.jsonl

What is dumped, in order:
  - Analysis.as_dict() of every passage of eval/train.jsonl, analysed in one call as `scout eval` does;
  - what `scout process` stores for the processing benchmark's generated corpus (benchmarks/processing.py):
    each page's row and tags after process_pending, and its duplicate marks after mark_duplicates.
The code under test is whatever PYTHONPATH puts first (this script adds nothing to sys.path), so the same
script dumps an old checkout and a new one. Floats are compared exactly.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import indexer
from indexer.analysis.analyser import TextAnalyser
from indexer.analysis.dedupe import mark_duplicates
from indexer.analysis.evaluation import load_jsonl
from indexer.analysis.process import PageProcessor, process_pending
from store import Store

CODE_ROOT = Path(indexer.__file__).resolve().parents[1]
TRAIN = Path(__file__).resolve().parents[1] / "eval" / "train.jsonl"
# Columns that differ between two runs whatever the analysis does.
CLOCK_COLUMNS = frozenset({"first_seen_at", "last_changed_at", "fetched_at", "processed_at"})


def _benchmark_module():
    """benchmarks/processing.py of the code under test (its generator defines the corpus)."""
    spec = importlib.util.spec_from_file_location("processing_benchmark", CODE_ROOT / "benchmarks" / "processing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_analyses(analyser: TextAnalyser) -> Iterator[dict]:
    records = load_jsonl(TRAIN)
    for record, analysis in zip(records, analyser.analyse_many([record["text"] for record in records])):
        yield {"train": record["id"], **analysis.as_dict()}


def _rows(database: sqlite3.Connection, query: str, *parameters) -> list[dict]:
    cursor = database.execute(query, parameters)
    names = [column[0] for column in cursor.description]
    return [{name: value for name, value in zip(names, row) if name not in CLOCK_COLUMNS} for row in cursor]


def processed_pages(analyser: TextAnalyser, pages: int, words: int) -> Iterator[dict]:
    benchmark = _benchmark_module()
    bodies = [(body, "text/html") for body in benchmark.generated_pages(pages, words)]
    with tempfile.TemporaryDirectory() as data_dir, Store.open(Path(data_dir) / "scout.sqlite3") as store:
        benchmark.store_as_crawled(store, bodies)
        process_pending(store, PageProcessor(analyser))
        mark_duplicates(store)
        database = sqlite3.connect(store.path)
        for page in _rows(database, "SELECT * FROM pages ORDER BY id"):
            page["tags"] = _rows(database, "SELECT * FROM tags WHERE page_id = ? ORDER BY application", page["id"])
            page["trl"] = _rows(database, "SELECT * FROM trl WHERE page_id = ?", page["id"])
            yield page
        database.close()


def dump(out: Path, pages: int, words: int) -> None:
    analyser = TextAnalyser()
    with out.open("w", encoding="utf-8") as sink:
        for item in train_analyses(analyser):
            sink.write(json.dumps(item, ensure_ascii=False) + "\n")
        for item in processed_pages(analyser, pages, words):
            sink.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"dumped the analyses of {CODE_ROOT} to {out}")


def compare(before: Path, after: Path) -> int:
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    differing = [i for i, (a, b) in enumerate(zip(old, new)) if json.loads(a) != json.loads(b)]
    print(f"{len(old)} vs {len(new)} items; {len(differing)} differ")
    for i in differing[:5]:
        a, b = json.loads(old[i]), json.loads(new[i])
        keys = [key for key in a.keys() | b.keys() if a.get(key) != b.get(key)]
        print(f"  item {i}: {', '.join(sorted(keys))}")
    return int(bool(differing) or len(old) != len(new))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--pages", type=int, default=200)
    dumping.add_argument("--words", type=int, default=1400)
    comparing = commands.add_parser("compare")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.pages, args.words)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
