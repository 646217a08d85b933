"""The search app's service layer: request validation and the calls into the index and the store.

Views stay thin (parse → one call here → render or JSON), so the HTML page and the JSON API can never
disagree: both go through `parse_search_request` and `run_search`.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any, NamedTuple

from werkzeug.datastructures import MultiDict
from whoosh import index as whoosh_index

from indexer.index.fulltext import IndexMissingError, SearchFilters, SearchResults, indexed_document_count, search
from scout.registry import COUNTRY_CODES, LANGUAGE_CODES, TYPES
from scout.settings import Settings
from store import PageView, Store
from taxonomy import APPLICATIONS, TRL_SCALE

PAGE_SIZE = 20
# Whoosh collects offset + limit hits before slicing, so a deep page costs as much as all pages before it.
MAX_PAGE = 50
MAX_QUERY_LENGTH = 500
MAX_VALUES_PER_FILTER = 35  # enough to select every application at once

NO_INDEX_MESSAGE = "No index yet: run scout crawl, scout process, scout index"

# Labels come from the taxonomy's TRL scale, the same one the estimator's cues belong to.
TRL_LABELS = {level: info.label for level, info in sorted(TRL_SCALE.items())}
TRL_DEFINITIONS = {level: info.definition for level, info in sorted(TRL_SCALE.items())}


class RequestError(ValueError):
    """A search request the app cannot run; the message is shown to the user as is."""


class SearchRequest(NamedTuple):
    query: str
    filters: SearchFilters
    page: int


# -- parsing ------------------------------------------------------------------------------------------


def parse_search_request(args: MultiDict) -> SearchRequest:
    """Validate query-string arguments (Werkzeug MultiDict); raises RequestError naming the bad one.

    Parameters: q, app (repeatable, A01..A35), trl_min, trl_max (1..9), country (repeatable, ISO 3166
    alpha-2), type (repeatable, organisation type), lang (repeatable, ISO 639-1), page (1..MAX_PAGE).
    Empty values are ignored, because an HTML form sends "" for "any".
    """
    query = (args.get("q") or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise RequestError(f"q: the query is longer than {MAX_QUERY_LENGTH} characters")

    applications = _choices(args, "app", APPLICATIONS, "application id", normalise=str.upper)
    countries = _choices(args, "country", COUNTRY_CODES, "country code (ISO 3166-1 alpha-2)", normalise=str.upper)
    types = _choices(args, "type", TYPES, "organisation type", normalise=str.lower)
    languages = _choices(args, "lang", LANGUAGE_CODES, "language code (ISO 639-1)", normalise=str.lower)

    trl_min = _integer(args, "trl_min", 1, 9)
    trl_max = _integer(args, "trl_max", 1, 9)
    if trl_min is not None and trl_max is not None and trl_min > trl_max:
        raise RequestError(f"trl_min ({trl_min}) is greater than trl_max ({trl_max})")
    page = _integer(args, "page", 1, MAX_PAGE) or 1

    filters = SearchFilters(
        applications=applications, trl_min=trl_min, trl_max=trl_max, countries=countries,
        organisation_types=types, languages=languages,
    )
    return SearchRequest(query, filters, page)


def _choices(args: MultiDict, name: str, allowed, what: str, normalise) -> tuple[str, ...]:
    values = [normalise(value.strip()) for value in args.getlist(name) if value.strip()]
    if len(values) > MAX_VALUES_PER_FILTER:
        raise RequestError(f"{name}: at most {MAX_VALUES_PER_FILTER} values")
    unknown = [value for value in values if value not in allowed]
    if unknown:
        shown = ", ".join(repr(value[:40]) for value in unknown[:3])
        raise RequestError(f"{name}: unknown {what} {shown}")
    return tuple(dict.fromkeys(values))  # drop repeats, keep order


def _integer(args: MultiDict, name: str, low: int, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise RequestError(f"{name} must be from {low} to {high}, not {value}")
    return value


# -- search -------------------------------------------------------------------------------------------


def run_search(settings: Settings, query: str, filters: SearchFilters, page: int = 1) -> SearchResults:
    """One page of ranked hits with facet counts; raises IndexMissingError before `scout index` ran."""
    return search(settings.index_dir, query, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)


def page_count(total: int) -> int:
    return min(MAX_PAGE, max(1, math.ceil(total / PAGE_SIZE)))


def search_json(results: SearchResults, page: int) -> dict[str, Any]:
    payload = results.as_dict()
    payload.update(page=page, page_size=PAGE_SIZE, pages=page_count(results.total))
    return payload


# -- pages and statistics -----------------------------------------------------------------------------


def page_detail(settings: Settings, page_id: int) -> PageView | None:
    # A web request must not create an empty database as a side effect of Store.open.
    if not settings.database_path.exists():
        return None
    with Store.open(settings.database_path) as store:
        return store.page(page_id)


def page_json(page: PageView) -> dict[str, Any]:
    payload = asdict(page)
    for tag in payload["tags"]:
        tag["application_name"] = application_name(tag["application"])
    if payload["trl"] is not None:
        payload["trl"]["label"] = TRL_LABELS.get(payload["trl"]["level"], "")
    return payload


def stats(settings: Settings) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "organisations": 0, "pages": 0, "duplicate_pages": 0, "processed_pages": 0, "tagged_pages": 0,
        "indexed_pages": 0,
    }
    last_run = None
    if settings.database_path.exists():
        with Store.open(settings.database_path) as store:
            counts = store.stats()
            last_run = store.last_crawl_run()
    indexed_documents = indexed_document_count(settings.index_dir)
    return {**counts, "index_documents": indexed_documents, "index_exists": index_exists(settings),
            "last_crawl_run": last_run}


def index_exists(settings: Settings) -> bool:
    return whoosh_index.exists_in(str(settings.index_dir))


def coverage(settings: Settings) -> dict[str, Any]:
    """Every organisation's crawl coverage by market and country (see scout.coverage); raises RegistryError."""
    from scout.coverage import coverage_report
    from scout.registry import load_registry

    return coverage_report(settings, load_registry())


# -- taxonomy lookups for templates and JSON ----------------------------------------------------------


def application_name(application_id: str) -> str:
    info = APPLICATIONS.get(application_id)
    return info.name if info is not None else ""


def application_description(application_id: str) -> str:
    info = APPLICATIONS.get(application_id)
    return info.description if info is not None else ""


def application_choices() -> list[tuple[str, str]]:
    return sorted((info.id, info.name) for info in APPLICATIONS.values())
