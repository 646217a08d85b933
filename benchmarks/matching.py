"""Matching quality on the demo: precision@5 and MRR of SME → organisation matches against labels.

Builds the demo as `scout demo --no-serve` does (its sites served on loopback, crawled, processed and
indexed in a temporary data directory), imports the fictional demo roster (data/demo_roster.csv) into a
partner cluster, ranks the found organisations for every SME and compares the top 5 with
eval/matching_expected.json, labelled by reading the demo sites before the weights were tuned.

    python benchmarks/matching.py                 # build the demo in a temporary directory
    python benchmarks/matching.py --data-dir D    # reuse a demo data directory (D/demo after `scout demo`)

precision@5 counts expected organisations among the top 5 over 5; since each SME has one or two expected
organisations, its ceiling is the mean of min(expected, 5) / 5 and is printed beside it. "precision of
what is shown" divides by the matches actually listed (at most 5): matching lists only organisations with
a shared application or close capabilities.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scout import pipeline  # noqa: E402
from scout.cli import demo_organisations  # noqa: E402
from scout.settings import load_settings  # noqa: E402
from search_app import matching, rosters  # noqa: E402
from store import Store  # noqa: E402

ROSTER = REPO / "data" / "demo_roster.csv"
EXPECTED = REPO / "eval" / "matching_expected.json"
CLUSTER = "litek"
K = 5


def build_demo(data_dir: Path):
    from scout.demo_site import DemoSites

    settings = load_settings(data_dir).replace(download_delay=0.0, autothrottle=False)
    with DemoSites() as sites:
        run = pipeline.crawl(settings, demo_organisations(sites.organisations))
        if run["status"] != "finished":
            raise SystemExit(f"demo crawl failed: {run}")
        pipeline.process(settings)
        pipeline.index(settings)
    return settings


def evaluate(store: Store, expected: dict[str, list[str]]) -> dict:
    per_sme, precision, shown_precision, recall, reciprocal = [], [], [], [], []
    for name, wanted in expected.items():
        sme = rosters.find_sme(store, CLUSTER, name)
        if sme is None:
            raise SystemExit(f"{name!r} is not in the imported roster")
        ranked = [m.organisation_id for m in matching.matches_for_sme(store, CLUSTER, sme["id"], limit=K)]
        hits = [org for org in ranked if org in wanted]
        precision.append(len(hits) / K)
        shown_precision.append(len(hits) / len(ranked) if ranked else 0.0)
        recall.append(len(hits) / len(wanted))
        first = next((rank for rank, org in enumerate(ranked, 1) if org in wanted), None)
        reciprocal.append(1 / first if first else 0.0)
        per_sme.append({"sme": name, "expected": wanted, "top5": ranked})
    mean = lambda values: round(sum(values) / len(values), 3)  # noqa: E731
    return {"smes": len(expected), f"precision@{K}": mean(precision),
            f"precision@{K}_ceiling": mean([min(len(w), K) / K for w in expected.values()]),
            f"precision_of_shown@{K}": mean(shown_precision), f"recall@{K}": mean(recall), "mrr": mean(reciprocal),
            "per_sme": per_sme}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="a built demo data directory to reuse")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["expected"]
    with tempfile.TemporaryDirectory() as temporary:
        settings = load_settings(args.data_dir) if args.data_dir else build_demo(Path(temporary))
        with Store.open(settings.database_path) as store:
            report = rosters.import_roster(store, CLUSTER, ROSTER)
            if report.rejected:
                raise SystemExit(f"demo roster rows rejected: {report.rejected}")
            figures = evaluate(store, expected)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for entry in figures["per_sme"]:
        print(f"{entry['sme']}: expected {', '.join(entry['expected'])}; top {K}: {', '.join(entry['top5']) or '-'}")
    print(f"\n{figures['smes']} SMEs; precision@{K} {figures[f'precision@{K}']:.3f} "
          f"(ceiling {figures[f'precision@{K}_ceiling']:.3f} with these labels); "
          f"precision of shown matches {figures[f'precision_of_shown@{K}']:.3f}; "
          f"recall@{K} {figures[f'recall@{K}']:.3f}; MRR {figures['mrr']:.3f}")


if __name__ == "__main__":
    main()
