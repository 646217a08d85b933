"""Coverage: which organisations have been crawled, when, with how many pages and errors.

Every registry organisation is listed, crawled or not, so a gap in coverage shows as a row rather
than as an absence. Organisations the store knows but the registry does not (sites crawled with
``scout crawl --url``, or entries since removed from the registry) are listed too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scout.registry import Organisation
from scout.settings import Settings
from store import Store, utc_now

NO_WEBSITE = "no website in registry"
UNASSIGNED_MARKET = "unassigned"
UNKNOWN_COUNTRY = "unknown"

STATUS_NEVER_CRAWLED = "never-crawled"
STATUS_NO_WEBSITE = "no-website"
STATUS_OK = "ok"
STATUS_ERRORS = "errors"
STATUSES = (STATUS_OK, STATUS_ERRORS, STATUS_NEVER_CRAWLED, STATUS_NO_WEBSITE)

COUNTED = ("pages", "new", "changed", "failed", "robots_blocked")


@dataclass(frozen=True)
class _Known:
    """What the report needs to know about one organisation, from the registry or the store."""

    id: str
    name: str
    type: str
    market: str
    country: str
    website: str | None
    crawlable: bool
    in_registry: bool


def coverage_report(settings: Settings, registry: Iterable[Organisation]) -> dict[str, Any]:
    """The coverage of every organisation, grouped by market then country, with totals."""
    known = {org.id: _from_registry(org) for org in registry}
    page_counts: dict[str, int] = {}
    latest_runs: dict[str, dict[str, Any]] = {}
    # Reading must not create an empty store as a side effect (the web page calls this too).
    if settings.database_path.exists():
        with Store.open(settings.database_path) as store:
            for stored in store.organisations():
                known.setdefault(stored["id"], _from_store(stored))
            page_counts = store.current_page_counts()
            latest_runs = store.latest_run_by_organisation()
    entries = [_entry(org, page_counts.get(org.id, 0), latest_runs.get(org.id)) for org in known.values()]
    return {"generated": utc_now(), "markets": _group(entries), "totals": _totals(entries)}


def _from_registry(org: Organisation) -> _Known:
    return _Known(org.id, org.name, org.type, org.market, org.country, org.website, org.crawlable, True)


def _from_store(stored: dict[str, Any]) -> _Known:
    website = stored.get("website")
    return _Known(stored["id"], stored["name"], stored.get("type") or "", stored.get("market") or "",
                  stored.get("country") or "", website, bool(website), False)


def _entry(org: _Known, pages: int, run: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "type": org.type,
        "market": org.market or UNASSIGNED_MARKET,
        "country": org.country or UNKNOWN_COUNTRY,
        "website": org.website,
        "in_registry": org.in_registry,
        "status": _status(org, run),
        "last_crawled": run["finished_at"] if run else None,
        "last_run_id": run["run_id"] if run else None,
        "last_run_status": run["status"] if run else None,
        "pages": pages,
        "new": run["new"] if run else 0,
        "changed": run["changed"] if run else 0,
        "failed": run["failed"] if run else 0,
        "last_error": run["last_error"] if run else None,
        "robots_blocked": run["robots_blocked"] if run else 0,
    }


def _status(org: _Known, run: dict[str, Any] | None) -> str:
    if not org.crawlable:
        return STATUS_NO_WEBSITE
    if run is None:
        return STATUS_NEVER_CRAWLED
    if run["failed"] or run["status"] == "failed":
        return STATUS_ERRORS
    return STATUS_OK


def _group(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    markets: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entry in entries:
        markets.setdefault(entry["market"], {}).setdefault(entry["country"], []).append(entry)
    # Unassigned (ad-hoc sites) after the named markets; within a country, by name as a reader scans.
    return [
        {"market": market, "countries": [
            {"country": country, "organisations": sorted(orgs, key=lambda e: (e["name"].casefold(), e["id"]))}
            for country, orgs in sorted(markets[market].items())
        ]}
        for market in sorted(markets, key=lambda m: (m == UNASSIGNED_MARKET, m))
    ]


def _totals(entries: list[dict[str, Any]]) -> dict[str, int]:
    totals = {"organisations": len(entries)}
    totals.update({status.replace("-", "_"): sum(e["status"] == status for e in entries) for status in STATUSES})
    totals.update({name: sum(e[name] for e in entries) for name in COUNTED})
    return totals


def iter_organisations(report: dict[str, Any]):
    """(market, country, organisation) for every row of a report, in report order."""
    for market in report["markets"]:
        for country in market["countries"]:
            for organisation in country["organisations"]:
                yield market["market"], country["country"], organisation


# -- plain-text table for the CLI ---------------------------------------------------------------------

COLUMNS = (  # header, width, how to get the cell
    ("status", 13, lambda e: e["status"]),
    ("id", 28, lambda e: e["id"]),
    ("name", 34, lambda e: e["name"]),
    ("type", 18, lambda e: e["type"] or "-"),
    ("last crawled", 16, lambda e: _short_time(e["last_crawled"], e["last_run_status"])),
    ("pages", 6, lambda e: e["pages"]),
    ("new", 5, lambda e: e["new"]),
    ("chg", 5, lambda e: e["changed"]),
    ("errors", 6, lambda e: e["failed"]),
    ("robots", 6, lambda e: e["robots_blocked"]),
)
NUMERIC_FROM = 5  # columns from this index on are right-aligned counts


def format_table(report: dict[str, Any]) -> str:
    """The report as a readable text table, grouped by market then country."""
    totals = report["totals"]
    lines = [
        f"Coverage on {_short_time(report['generated'], None)} UTC: {totals['organisations']} organisations: "
        f"{totals['ok']} ok, {totals['errors']} with errors, {totals['never_crawled']} never crawled, "
        f"{totals['no_website']} without a website; {totals['pages']} pages",
    ]
    for market in report["markets"]:
        lines += ["", market["market"].upper()]
        for country in market["countries"]:
            lines += [f"  {country['country']}", "    " + _row([header for header, _, _ in COLUMNS])]
            for entry in country["organisations"]:
                lines.append("    " + _row([cell(entry) for _, _, cell in COLUMNS]))
                lines.append("      " + _details(entry))
    return "\n".join(lines)


def _row(cells: list[Any]) -> str:
    parts = []
    for index, (cell, (_, width, _)) in enumerate(zip(cells, COLUMNS)):
        text = _clip(str(cell), width)
        parts.append(text.rjust(width) if index >= NUMERIC_FROM else text.ljust(width))
    return " ".join(parts).rstrip()


def _details(entry: dict[str, Any]) -> str:
    details = entry["website"] or NO_WEBSITE
    if entry["last_error"]:
        details += f"  last error: {_clip(entry['last_error'], 100)}"
    return details


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _short_time(timestamp: str | None, run_status: str | None) -> str:
    """'2024-05-01T12:34:56+00:00' -> '2024-05-01 12:34'; a run still going has no finish time yet."""
    if timestamp:
        return timestamp.replace("T", " ")[:16]
    return run_status or "never"
