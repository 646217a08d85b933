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
                   facet_counts: Mapping[str, Iterable[tuple[str, int]]],
                   groups: list[dict[str, Any]] | None = None, total_groups: int | None = None) -> dict[str, Any]:
    """One page of results (`page_summary` each); `pages` is how many pages of `page_size` can be asked for.

    Grouped by organisation, `groups` (`result_group` each) holds the page's organisations, `total_groups`
    how many there are, `page_size` and `pages` count organisations, and `results` lists their pages in order.
    """
    shaped = {"query": query, "total": total, "results": results, "facets": facets(facet_counts),
              "page": page_number, "page_size": page_size, "pages": pages}
    if groups is not None:
        shaped.update(groups=groups, total_groups=total_groups)
    return shaped


def result_group(organisation_shape: dict[str, Any] | None, pages: int,
                 results: list[dict[str, Any]]) -> dict[str, Any]:
    """One organisation's best results; `pages` counts all of its pages in the result set."""
    return {"organisation": organisation_shape, "pages": pages, "results": results}


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


def organisation_summary(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An organisation as listed: its coverage row (scout.coverage) in the shared form."""
    return {**organisation(entry["id"], entry["name"], entry["country"], entry["type"]), "market": entry["market"],
            "website": entry["website"], "in_registry": entry["in_registry"], "pages": entry["pages"],
            "status": entry["status"], "last_crawled": timestamp(entry["last_crawled"])}


def organisation_profile(profile: Any) -> dict[str, Any]:
    """Everything known about one organisation (search_app.organisations.OrganisationProfile)."""
    coverage_row = profile.coverage
    return {
        **organisation_summary(coverage_row),
        "first_seen_at": timestamp(profile.first_seen_at),
        "last_changed_at": timestamp(profile.last_changed_at),
        "applications": [{**tag(item.best), "pages": item.pages, "page_id": item.page_id}
                         for item in profile.applications],
        "trl": None if profile.trl is None else {**trl(profile.trl.record), "page_id": profile.trl.page_id},
        "role": None if profile.role is None else {
            "role": profile.role.role, "label": profile.role.label, "evidence": profile.role.evidence,
            "page_id": profile.role.page_id,
            "split": [{"role": share.role, "label": share.label, "pages": share.pages,
                       "share": round(share.share, 3)} for share in profile.role.split]},
        "regulatory": [{"authority": item.authority, "market": item.market, "status": item.status,
                        "evidence": item.evidence, "page_id": item.page_id} for item in profile.regulatory],
        "coverage": {name: coverage_row[name] for name in ("new", "changed", "failed", "robots_blocked", "last_error")},
        "last_crawl": None if profile.last_crawl is None else {
            **profile.last_crawl, "started_at": timestamp(profile.last_crawl["started_at"]),
            "finished_at": timestamp(profile.last_crawl["finished_at"]),
            "changes": [{"page_id": page.id, "url": page.url, "title": page.title, "change": kind}
                        for page, kind in profile.changes]},
        "crawled_pages": [{"id": page.id, "url": page.url, "title": page.title, "language": page.language,
                   "genre": page.genre, "tags": [record.application for record in page.tags],
                   "trl": trl(page.trl), "last_changed_at": timestamp(page.last_changed_at)}
                  for page in profile.pages],
    }


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


def user(account: Any) -> dict[str, Any] | None:
    """A logged-in user (search_app.access.User): `id`, `name`, `cluster_id` (a partner cluster's registry id), `role`."""
    if account is None:
        return None
    return {"id": account.id, "name": account.name, "cluster_id": account.cluster_id, "role": account.role}


# -- a partner cluster's roster and shortlists (search_app.rosters, .matching, .shortlists) ------------


def sme(record: Mapping[str, Any]) -> dict[str, Any]:
    """One SME of a cluster's roster, with the capability profile read from its text."""
    profile = record.get("profile") or {}
    return {"id": record["id"], "name": record["name"], "website": record.get("website"),
            "country": record.get("country"), "capabilities": record.get("capabilities") or "",
            "organisation_id": record.get("organisation_id"),
            "applications": [{"application": t["application"], "name": APPLICATIONS[t["application"]].name
                              if t["application"] in APPLICATIONS else "", "score": t["score"],
                              "evidence": t["evidence"]} for t in profile.get("applications", [])],
            "role": profile.get("role"), "updated_at": timestamp(record.get("updated_at"))}


def shortlist(record: Mapping[str, Any]) -> dict[str, Any]:
    """A shortlist; with `items` (shortlist_item each) when they were read."""
    shape = {"id": record["id"], "name": record["name"], "created_at": timestamp(record.get("created_at"))}
    if isinstance(record.get("items"), list):
        shape["items"] = [shortlist_item(item) for item in record["items"]]
    else:
        shape["item_count"] = record.get("items", 0)
    return shape


def shortlist_item(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: record.get(key) for key in (
        "id", "position", "kind", "page_id", "page_title", "page_url", "organisation_id", "organisation", "sme_id",
        "sme_name", "application", "score", "reasons", "status", "note", "owner")} | {
        "added_at": timestamp(record.get("added_at"))}
