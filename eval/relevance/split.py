"""Split the judged queries once into tune / test halves, stratified by kind, and freeze the test half.

    python eval/relevance/split.py            # writes tune.jsonl, test.jsonl and test.sha256 from queries.jsonl
    python eval/relevance/split.py --check    # exits 1 when test.jsonl no longer matches its frozen hash

Run once, before any fusion choice is tried; afterwards only --check runs (the test suite does). Within
each kind the queries are shuffled with a fixed seed and dealt alternately, so each half holds every kind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the frozen test half")
    args = parser.parse_args(argv)
    frozen = HERE / "test.sha256"
    if args.check:
        expected = frozen.read_text().split()[0]
        actual = digest(HERE / "test.jsonl")
        print("test half unchanged" if actual == expected else f"test half changed: {actual} != {expected}")
        return 0 if actual == expected else 1
    if frozen.exists():
        print(f"{frozen} exists: the test half is frozen; delete it only to start a new query set", file=sys.stderr)
        return 1
    rows = [json.loads(line) for line in (HERE / "queries.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    for name, half in deal(rows).items():
        (HERE / f"{name}.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in half),
                                            encoding="utf-8")
        print(f"{name}: {len(half)} queries")
    frozen.write_text(f"{digest(HERE / 'test.jsonl')}  test.jsonl\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
