"""The JSON shape of each concept Scout answers with, defined once for the API and the CLI alike.

Pure functions from the store's and the index's records to plain dicts: `/api/...` and `scout ... --json`
call the same function for the same concept, so the two cannot drift apart. The shapes are documented in
the README ("JSON shapes"); change both together.

Conventions: a page is always identified by `id`, with its canonical `url` and the `final_url` it was
served from (after redirects); a TRL is always `trl()` or null; an organisation is
always `organisation()` or null; every timestamp is ISO 8601 in UTC with an explicit "+00:00" offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from store.records import Candidate, PageView, Tag, TRLRecord
from taxonomy import APPLICATIONS, TRL_SCALE

CRAWL_RUN_COUNTS = ("fetched", "new", "changed", "unchanged", "gone", "failed", "robots_blocked")


def timestamp(value: str | datetime | None) -> str | None:
    """ISO 8601 in UTC with "+00:00"; a value without a zone is UTC, as everything Scout stores is."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def trl(record: TRLRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    scale = TRL_SCALE.get(record.level)
    return {"level": record.level, "label": scale.label if scale else "", "cue": record.cue,
            "confidence": record.confidence, "runner_up": record.runner_up}


def organisation(organisation_id: str | None, name: str | None, country: str | None,
                 organisation_type: str | None) -> dict[str, Any] | None:
    if not (organisation_id or name):
        return None
    return {"id": organisation_id or None, "name": name or None, "country": country or None,
            "type": organisation_type or None}


def tag(record: Tag) -> dict[str, Any]:
    info = APPLICATIONS.get(record.application)
    return {"application": record.application, "name": info.name if info else "", "score": record.score,
            "evidence": record.evidence, "signal": record.signal}


def _page_common(page: PageView) -> dict[str, Any]:
    return {
        "id": page.id,
        "url": page.url,
        "final_url": page.final_url or page.url,
        "title": page.title,
        "organisation": organisation(page.organisation_id, page.organisation, page.country, page.organisation_type),
        "language": page.language,
        "fetched_at": timestamp(page.fetched_at),
        "published_date": page.published_date,
        "modified_date": page.modified_date,
        "tags": [tag(record) for record in page.tags],
        "trl": trl(page.trl),
    }


def page_summary(page: PageView, score: float, snippet: str) -> dict[str, Any]:
    """A page as one search result."""
    return {**_page_common(page), "score": round(score, 4), "snippet": snippet}


def page(page: PageView) -> dict[str, Any]:
    """Everything known about one page."""
    return {
        **_page_common(page),
        "first_seen_at": timestamp(page.first_seen_at),
        "last_changed_at": timestamp(page.last_changed_at),
        "gone_at": timestamp(page.gone_at),
        "http_status": page.http_status,
        "content_type": page.content_type,
        "content_hash": page.content_hash,
        "role": page.role,
        "role_evidence": page.role_evidence,
        "regulatory": page.regulatory,
        "europe_entry": page.europe_entry,
        "duplicate_of": page.duplicate_of,
        "aliases": page.aliases,
        "text": page.text,
    }


def facets(counts: Mapping[str, Iterable[tuple[str, int]]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": value, "count": count} for value, count in values] for name, values in counts.items()}


def search_results(query: str, total: int, page_number: int, page_size: int, pages: int,
                   results: list[dict[str, Any]],
                   facet_counts: Mapping[str, Iterable[tuple[str, int]]]) -> dict[str, Any]:
    """One page of results (`page_summary` each); `pages` is how many pages of `page_size` can be asked for."""
    return {"query": query, "total": total, "results": results, "facets": facets(facet_counts),
            "page": page_number, "page_size": page_size, "pages": pages}


def crawl_run(run: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"id": run["id"], "status": run["status"], "started_at": timestamp(run["started_at"]),
            "finished_at": timestamp(run["finished_at"]), **{name: run[name] for name in CRAWL_RUN_COUNTS}}


def stats(counts: Mapping[str, int], indexed_documents: int, index_exists: bool,
          last_run: Mapping[str, Any] | None) -> dict[str, Any]:
    """`counts` as the store's `stats()` gives them; `indexed_documents` as the index holds them."""
    return {**counts, "indexed_documents": indexed_documents, "index_exists": index_exists,
            "last_crawl": crawl_run(last_run)}


def coverage(report: Mapping[str, Any]) -> dict[str, Any]:
    """The coverage report (scout.coverage) with its timestamps in the shared form."""
    markets = [
        {**market, "countries": [
            {**country, "organisations": [{**entry, "last_crawled": timestamp(entry["last_crawled"])}
                                          for entry in country["organisations"]]}
            for country in market["countries"]]}
        for market in report["markets"]
    ]
    return {**report, "generated": timestamp(report["generated"]), "markets": markets}


def error(code: str, message: str, parameter: str | None = None) -> dict[str, Any]:
    """An API error: `code` is stable for programs, `message` is for people, `parameter` names the bad one."""
    return {"error": {"code": code, "message": message, "parameter": parameter}}


def candidate(record: Candidate, organisations: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A candidate organisation with its evidence (each listing entry that names it) and who lists it."""
    listed_by = dict.fromkeys(listing.listed_by for listing in record.listings if listing.listed_by)
    return {
        "id": record.id,
        "name": record.name,
        "website": record.website,
        "country": record.country,
        "applications": list(record.applications),
        "evidence": [{"url": listing.url, "text": listing.entry_text} for listing in record.listings],
        "listed_by": [organisation(org_id, (organisations.get(org_id) or {}).get("name"),
                                   (organisations.get(org_id) or {}).get("country"),
                                   (organisations.get(org_id) or {}).get("type")) for org_id in listed_by],
    }


def candidates(records: Iterable[Candidate], organisations: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {"candidates": [candidate(record, organisations) for record in records]}
