"""Split the judged queries once into tune / test halves, stratified by kind, and freeze the test half.

    python eval/relevance/split.py            # writes tune.jsonl, test.jsonl and test.sha256 from queries.jsonl
    python eval/relevance/split.py --check    # exits 1 when test.jsonl no longer matches its frozen hash

Run once, before any fusion choice is tried; afterwards only --check runs (the test suite does). Within
each kind the queries are shuffled with a fixed seed and dealt alternately, so each half holds every kind.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # eval/frozen_split.py, when run as a script

from frozen_split import split_once  # noqa: E402

SEED = 20261130


def deal(rows: list[dict]) -> dict[str, list[dict]]:
    kinds: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        kinds[row["kind"]].append(row)
    halves: dict[str, list[dict]] = {"tune": [], "test": []}
    rng = random.Random(SEED)
    turn = 0  # carried across kinds, so odd-sized kinds do not all tip the same way
    for kind in sorted(kinds):
        members = kinds[kind]
        rng.shuffle(members)
        for row in members:
            halves[("tune", "test")[turn % 2]].append(row)
            turn += 1
    return {name: sorted(half, key=lambda r: r["id"]) for name, half in halves.items()}


def read_queries() -> list[dict]:
    return [json.loads(line) for line in (HERE / "queries.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def main(argv: list[str] | None = None) -> int:
    return split_once(argv, __doc__.splitlines()[0], HERE, read_queries, deal, "half", "queries", "query set")


if __name__ == "__main__":
    sys.exit(main())
