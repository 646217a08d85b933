"""The fixture listing site (tests/listing_site): its pages and the organisations each layout lists."""

from __future__ import annotations

from pathlib import Path

import yaml

LISTING_SITE = Path(__file__).resolve().parent / "listing_site"


def layouts() -> dict[str, dict]:
    """Layout name → {"pages": [relative paths], "members": [(name, website or None)]}."""
    loaded = yaml.safe_load((LISTING_SITE / "expected.yaml").read_text(encoding="utf-8"))["layouts"]
    return {name: {"pages": layout.get("pages") or [layout["page"]],
                   "members": [tuple(member) for member in layout["members"]]}
            for name, layout in loaded.items()}


def page_html(relative: str) -> str:
    return (LISTING_SITE / relative).read_text(encoding="utf-8")


def matches(name: str, website: str | None, expected: tuple[str, str | None]) -> bool:
    """A found organisation is an expected one when both name the same site, or, without one, the same name."""
    from indexer.analysis.listings import domain_key

    expected_name, expected_website = expected
    if website and expected_website:
        return domain_key(website) == domain_key(expected_website)
    return " ".join(name.casefold().split()) == " ".join(expected_name.casefold().split())


def precision_recall(found: list[tuple[str, str | None]], expected: list[tuple[str, str | None]]
                     ) -> tuple[float, float]:
    """Of the organisations found, the share expected; of those expected, the share found (1.0 when none)."""
    true_found = sum(any(matches(name, website, member) for member in expected) for name, website in found)
    recalled = sum(any(matches(name, website, member) for name, website in found) for member in expected)
    precision = true_found / len(found) if found else 1.0
    recall = recalled / len(expected) if expected else 1.0
    return precision, recall


def store_listing_site(store, base: str, organisation_id: str, pages: list[str] | None = None) -> None:
    """Store the fixture site's pages as a crawl of `organisation_id` at `base` would (the organisation must exist)."""
    from store import FetchedPage

    pages = pages or sorted(str(path.relative_to(LISTING_SITE)) for path in LISTING_SITE.rglob("*.html"))
    run_id = store.start_crawl_run([organisation_id])
    for relative in pages:
        url = base + relative
        store.record_fetch(run_id, FetchedPage(url=url, final_url=url, organisation_id=organisation_id,
                                               http_status=200, content_type="text/html; charset=utf-8",
                                               body=(LISTING_SITE / relative).read_bytes(), encoding="utf-8"))
    store.finish_crawl_run(run_id)
