"""Split the labelled passages once into train / dev / test, stratified, and freeze the test split.

    python eval/split.py            # writes eval/train.jsonl, dev.jsonl, test.jsonl and test.sha256
    python eval/split.py --check    # exits 1 when test.jsonl no longer matches its frozen hash

Run once, before any tuning; afterwards only --check runs (the test suite does). Each stratum
(genre × TRL band, negatives apart) is shuffled with a fixed seed and dealt 60/20/20.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from frozen_split import split_once

HERE = Path(__file__).resolve().parent
SEED = 20261130
SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))


def stratum(row: dict) -> tuple[str, str]:
    if not row["applications"]:
        return row["genre"], "negative"
    if row["trl"] is None:
        return row["genre"], "no-trl"
    return row["genre"], ("1-3", "4-6", "7-9")[(row["trl"] - 1) // 3]


def deal(rows: list[dict]) -> dict[str, list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        groups[stratum(row)].append(row)
    split: dict[str, list[dict]] = {name: [] for name, _ in SHARES}
    rng = random.Random(SEED)
    carry = 0.0  # spreads rounding across strata so small strata still reach dev and test
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        n = len(members)
        n_test = int(n * 0.2 + carry + 0.5)
        carry = n * 0.2 + carry - n_test
        n_dev = int(round(n * 0.2))
        split["test"] += members[:n_test]
        split["dev"] += members[n_test:n_test + n_dev]
        split["train"] += members[n_test + n_dev:]
    return {name: sorted(part, key=lambda r: r["id"]) for name, part in split.items()}


def read_raw() -> list[dict]:
    return [json.loads(line) for path in sorted((HERE / "raw").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    return split_once(argv, __doc__.splitlines()[0], HERE, read_raw, deal, "split", "passages", "data set")


if __name__ == "__main__":
    sys.exit(main())
