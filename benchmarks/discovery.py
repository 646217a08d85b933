"""Precision and recall of candidate extraction on the fixture listing site (tests/listing_site).

Per layout, the listing pages are read as the crawler stores them; then the whole site is crawled over
loopback as an ad-hoc site (robots.txt, throttling and caps as usual) and `scout discover`'s candidates are
scored against every organisation the site lists, de-duplicated across its listings.

    PYTHONPATH=. python benchmarks/discovery.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from indexer.analysis.listings import find_entries
from scout import pipeline
from scout.settings import load_settings
from store import Store
from tests.listing_fixture import LISTING_SITE, layouts, page_html, precision_recall
from tests.loopback import serve_directory

GOAL = 0.90


def per_layout(base: str) -> list[tuple[str, float, float, int]]:
    rows = []
    for name, layout in layouts().items():
        found = [(entry.name, entry.website) for page in layout["pages"]
                 for entry in find_entries(page_html(page), base + page)]
        precision, recall = precision_recall(found, layout["members"])
        rows.append((name, precision, recall, len(layout["members"])))
    return rows


def end_to_end() -> tuple[float, float, int, int]:
    expected = {}
    for layout in layouts().values():
        for name, website in layout["members"]:
            expected.setdefault(name, (name, website))
    with tempfile.TemporaryDirectory() as data_dir, serve_directory(LISTING_SITE) as server:
        settings = load_settings(Path(data_dir), environ={}).replace(download_delay=0.0, autothrottle=False)
        pipeline.crawl(settings, [pipeline.adhoc_organisation(server.base_url + "/")])
        pipeline.discover(settings)
        with Store.open(settings.database_path) as store:
            found = [(c.name, c.website) for c in store.candidates(["proposed"]) if c.listings]
    precision, recall = precision_recall(found, list(expected.values()))
    return precision, recall, len(found), len(expected)


def main() -> int:
    print(f"{'layout':58} {'precision':>9} {'recall':>7} {'members':>7}")
    failing = []
    for name, precision, recall, members in per_layout("http://127.0.0.1:8765/"):
        print(f"{name:58} {precision:9.2f} {recall:7.2f} {members:7d}")
        if precision < GOAL or recall < GOAL:
            failing.append(name)
    precision, recall, found, expected = end_to_end()
    print(f"{'crawl + scout discover, de-duplicated across listings':58} {precision:9.2f} {recall:7.2f} {expected:7d}"
          f"  ({found} candidates)")
    print("layouts below the goal: " + (", ".join(failing) if failing else "none"))
    return 0 if not failing and precision >= GOAL and recall >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
