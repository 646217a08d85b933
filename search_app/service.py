"""The search app's service layer: request validation and the calls into the index and the store.

Views stay thin (parse → one call here → render or JSON), so the HTML page and the JSON API can never
disagree: both go through `parse_search_request` and `run_search`.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date
from typing import Any, Iterable, NamedTuple

from babel import Locale
from werkzeug.datastructures import MultiDict
from whoosh import index as whoosh_index

from indexer.index.fulltext import (
    SORTS, IndexMissingError, SearchFilters, SearchResults, Segment, indexed_document_count, search,
)
from scout import shapes
from scout.registry import COUNTRY_CODES, LANGUAGE_CODES, MARKETS, TYPES
from scout.settings import Settings
from search_app import charts
from store import PageView, Store
from taxonomy import APPLICATIONS, TRL_SCALE

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Whoosh collects offset + limit hits before slicing, so a deep page costs as much as all pages before it.
MAX_PAGE = 50
MAX_QUERY_LENGTH = 500
MAX_VALUES_PER_FILTER = 35  # enough to select every application at once
# SQLite row ids are signed 64-bit; a larger number in a URL cannot name a page (and would overflow the driver).
MAX_PAGE_ID = 2**63 - 1
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

SEARCH_PARAMETERS = ("q", "app", "trl_min", "trl_max", "country", "type", "lang", "org", "published_after", "sort",
                     "group", "page", "limit", "format")
REPEATABLE_PARAMETERS = frozenset({"app", "country", "type", "lang", "org"})
GROUPINGS = ("organisation",)
PAGES_PER_GROUP = 3
# Below this probability of being within one level of the estimate, a TRL is shown as uncertain.
LOW_TRL_CONFIDENCE = 0.5
# Organisation ids are registry slugs or an ad-hoc site's host name: letters, digits, dots, dashes, underscores.
ORGANISATION_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")

NO_INDEX_MESSAGE = "No index yet: run scout crawl, scout process, scout index"
STALE_INDEX_MESSAGE = "The index lists pages the store does not hold: run scout index --rebuild"

# Labels come from the taxonomy's TRL scale, the same one the estimator's cues belong to.
TRL_LABELS = {level: info.label for level, info in sorted(TRL_SCALE.items())}
TRL_DEFINITIONS = {level: info.definition for level, info in sorted(TRL_SCALE.items())}


class RequestError(ValueError):
    """A request the app cannot answer; the message is shown to the user as is and names the bad parameter."""

    def __init__(self, message: str, parameter: str | None = None, code: str = "invalid_parameter"):
        super().__init__(message)
        self.parameter = parameter
        self.code = code


class StaleIndexError(RuntimeError):
    """The index names pages the store does not have (the store was replaced after indexing)."""


class SearchRequest(NamedTuple):
    query: str
    filters: SearchFilters
    page: int
    limit: int = PAGE_SIZE
    format: str = ""
    sort: str = "relevance"
    group: str = ""  # "" or one of GROUPINGS


# -- parsing ------------------------------------------------------------------------------------------


def check_parameters(args: MultiDict, known: tuple[str, ...],
                     repeatable: Iterable[str] = REPEATABLE_PARAMETERS) -> None:
    """Reject parameters a route does not take, and repeats of those it takes once; raises RequestError."""
    for name in args:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                hint = f"did you mean {close[0]!r}?"
            else:
                hint = f"known: {', '.join(known)}" if known else "this address takes none"
            raise RequestError(f"unknown parameter {name[:40]!r} ({hint})", name[:40], "unknown_parameter")
    for name in known:
        count = len(args.getlist(name))
        if count > 1 and name not in repeatable:
            raise RequestError(f"{name} is given {count} times; give it once", name)


def parse_search_request(args: MultiDict, formats: tuple[str, ...] = ("json",)) -> SearchRequest:
    """Validate query-string arguments (Werkzeug MultiDict); raises RequestError naming the bad one.

    Parameters: q, app (repeatable, A01..A35), trl_min, trl_max (1..9), country (repeatable, ISO 3166
    alpha-2), type (repeatable, organisation type), lang (repeatable, ISO 639-1), org (repeatable,
    organisation id), published_after (YYYY-MM-DD), sort (SORTS: relevance, trl, date, published), group
    (GROUPINGS), page (1..MAX_PAGE), limit (1..MAX_PAGE_SIZE), format (one of `formats`). Empty values are
    ignored, because an HTML form sends "" for "any"; anything else is an error, so no misspelt filter is
    silently dropped.
    """
    check_parameters(args, SEARCH_PARAMETERS)
    query = (args.get("q") or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise RequestError(f"q: the query is longer than {MAX_QUERY_LENGTH} characters", "q")

    applications = _choices(args, "app", APPLICATIONS, "application id", normalise=str.upper)
    countries = _choices(args, "country", COUNTRY_CODES, "country code (ISO 3166-1 alpha-2)", normalise=str.upper)
    types = _choices(args, "type", TYPES, "organisation type", normalise=str.lower)
    languages = _choices(args, "lang", LANGUAGE_CODES, "language code (ISO 639-1)", normalise=str.lower)
    organisations = _organisation_ids(args)
    sort = _one_of(args, "sort", SORTS) or "relevance"
    group = _one_of(args, "group", GROUPINGS)

    trl_min = _integer(args, "trl_min", 1, 9)
    trl_max = _integer(args, "trl_max", 1, 9)
    if trl_min is not None and trl_max is not None and trl_min > trl_max:
        raise RequestError(f"trl_min ({trl_min}) is greater than trl_max ({trl_max})", "trl_min")
    page = _integer(args, "page", 1, MAX_PAGE) or 1
    limit = _integer(args, "limit", 1, MAX_PAGE_SIZE) or PAGE_SIZE
    published_after = _date(args, "published_after")
    response_format = args.get("format") or ""
    if response_format and response_format not in formats:
        raise RequestError(f"format must be {' or '.join(map(repr, formats))}, not {response_format[:40]!r}", "format")

    filters = SearchFilters(
        applications=applications, trl_min=trl_min, trl_max=trl_max, countries=countries,
        organisation_types=types, languages=languages, organisations=organisations,
        published_after=published_after,
    )
    return SearchRequest(query, filters, page, limit, response_format, sort, group)


def _organisation_ids(args: MultiDict) -> tuple[str, ...]:
    values = [value.strip().lower() for value in args.getlist("org") if value.strip()]
    if len(values) > MAX_VALUES_PER_FILTER:
        raise RequestError(f"org: at most {MAX_VALUES_PER_FILTER} values", "org")
    malformed = [value for value in values if not ORGANISATION_ID_PATTERN.fullmatch(value)]
    if malformed:
        raise RequestError(f"org: {malformed[0][:40]!r} is not an organisation id", "org")
    return tuple(dict.fromkeys(values))


def _one_of(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str:
    value = (args.get(name) or "").strip().lower()
    if value and value not in allowed:
        raise RequestError(f"{name} must be {' or '.join(map(repr, allowed))}, not {value[:40]!r}", name)
    return value


def _choices(args: MultiDict, name: str, allowed, what: str, normalise) -> tuple[str, ...]:
    values = [normalise(value.strip()) for value in args.getlist(name) if value.strip()]
    if len(values) > MAX_VALUES_PER_FILTER:
        raise RequestError(f"{name}: at most {MAX_VALUES_PER_FILTER} values", name)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        shown = ", ".join(repr(value[:40]) for value in unknown[:3])
        raise RequestError(f"{name}: unknown {what} {shown}", name)
    return tuple(dict.fromkeys(values))  # drop repeats, keep order


def _date(args: MultiDict, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not DATE_PATTERN.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise RequestError(f"{name} must be a date as YYYY-MM-DD, e.g. 2024-01-31, not {raw[:40]!r}", name) from None


def _integer(args: MultiDict, name: str, low: int, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}", name) from None
    if not low <= value <= high:
        shown = str(value) if len(raw) <= 40 else raw[:40] + "…"
        raise RequestError(f"{name} must be from {low} to {high}, not {shown}", name)
    return value


# -- search -------------------------------------------------------------------------------------------


def run_search(settings: Settings, query: str, filters: SearchFilters, page: int = 1,
               limit: int = PAGE_SIZE, sort: str = "relevance", group: str = "") -> SearchResults:
    """One page of ranked hits with facet counts; raises IndexMissingError before `scout index` ran.

    Grouped by organisation, a page holds `limit` organisations with up to PAGES_PER_GROUP hits each.
    """
    return search(settings.index_dir, query, filters, limit=limit, offset=(page - 1) * limit, sort=sort,
                  group_by_organisation=group == "organisation", per_group=PAGES_PER_GROUP)


def result_page_count(results: SearchResults, limit: int = PAGE_SIZE) -> int:
    """Pages of results (of organisations, when grouped) that can be asked for."""
    return page_count(results.total_groups if results.groups is not None else results.total, limit)


def page_count(total: int, limit: int = PAGE_SIZE) -> int:
    """Pages of `limit` results that can be asked for (0 when there are no results)."""
    return min(MAX_PAGE, math.ceil(total / limit))


def search_json(settings: Settings, results: SearchResults, page: int, limit: int) -> dict[str, Any]:
    """The results as JSON (scout.shapes), each hit's page read from the store; raises StaleIndexError."""
    views: dict[int, PageView] = {}
    if results.hits and settings.database_path.exists():
        with Store.open(settings.database_path) as store:
            views = {view.id: view for view in store.pages([hit.page_id for hit in results.hits])}
    if any(hit.page_id not in views for hit in results.hits):
        raise StaleIndexError(STALE_INDEX_MESSAGE)

    def summary(hit):
        return shapes.page_summary(views[hit.page_id], hit.score, snippet_text(hit.snippets))

    groups = None
    if results.groups is not None:
        pages_per_organisation = dict(results.facets.get("organisation_id", ()))
        groups = [shapes.result_group(summary(group[0])["organisation"],
                                      pages_per_organisation.get(group[0].organisation_id, len(group)),
                                      [summary(hit) for hit in group])
                  for group in results.groups]
    return shapes.search_results(results.query, results.total, page, limit, result_page_count(results, limit),
                                 [summary(hit) for hit in results.hits], results.facets, groups,
                                 results.total_groups if groups is not None else None)


class ResultCharts(NamedTuple):
    heatmap: Any  # Markup of an SVG, or None when no result has both an application and a country
    trl: Any  # Markup of an SVG, or None when there are no results


def result_charts(results: SearchResults, cell_href=None) -> ResultCharts:
    """The applications × country heat map and TRL distribution of the whole result set (not just this page)."""
    levels = {int(value): count for value, count in results.facets.get("trl", ())}
    heatmap = charts.heatmap_svg(
        results.application_country, lambda app: f"{app} · {application_name(app)}".rstrip(" ·"),
        lambda code: country_name(code) or code, cell_href)
    return ResultCharts(heatmap, charts.trl_distribution_svg(levels, results.total - sum(levels.values())))


def trl_records(settings: Settings, page_ids) -> dict[int, Any]:
    """The TRL records (with confidence, which the index does not hold) of these pages, by page id."""
    if not settings.database_path.exists():
        return {}
    with Store.open(settings.database_path) as store:
        return store.trl_records(page_ids)


def organisation_names(settings: Settings, organisation_ids) -> dict[str, str]:
    """Names for organisation ids (facet values carry ids only); an id the store lacks is left out."""
    if not settings.database_path.exists():
        return {}
    with Store.open(settings.database_path) as store:
        return store.organisation_names(organisation_ids)


def snippet_text(snippets: list[list[Segment]]) -> str:
    """Snippets as plain text: their own words only, separated by an ellipsis (no markup, no table pipes)."""
    return " … ".join("".join(segment.text for segment in snippet) for snippet in snippets)


# -- pages and statistics -----------------------------------------------------------------------------


def page_detail(settings: Settings, page_id: int) -> PageView | None:
    """The page with this id, or None (also for ids no page can have, such as 0, -1 or 10**30)."""
    # A web request must not create an empty database as a side effect of Store.open.
    if not 1 <= page_id <= MAX_PAGE_ID or not settings.database_path.exists():
        return None
    with Store.open(settings.database_path) as store:
        return store.page(page_id)


def stats(settings: Settings) -> dict[str, Any]:
    counts: dict[str, int] = {
        "organisations": 0, "pages": 0, "duplicate_pages": 0, "processed_pages": 0, "tagged_pages": 0,
        "indexed_pages": 0,
    }
    last_run = None
    if settings.database_path.exists():
        with Store.open(settings.database_path) as store:
            counts = store.stats()
            last_run = store.last_crawl_run()
    return shapes.stats(counts, indexed_document_count(settings.index_dir), index_exists(settings), last_run)


def index_exists(settings: Settings) -> bool:
    return whoosh_index.exists_in(str(settings.index_dir))


def coverage(settings: Settings) -> dict[str, Any]:
    """Every organisation's crawl coverage by market and country (see scout.coverage); raises RegistryError."""
    from scout.coverage import coverage_report
    from scout.registry import load_registry_for

    return shapes.coverage(coverage_report(settings, load_registry_for(settings.data_dir)))


# -- taxonomy lookups for templates and JSON ----------------------------------------------------------


def application_name(application_id: str) -> str:
    info = APPLICATIONS.get(application_id)
    return info.name if info is not None else ""


def application_description(application_id: str) -> str:
    info = APPLICATIONS.get(application_id)
    return info.description if info is not None else ""


def application_choices() -> list[tuple[str, str]]:
    return sorted((info.id, info.name) for info in APPLICATIONS.values())


# -- places as people name them -----------------------------------------------------------------------

# The target markets of the scouting mission, in the order the mission lists them, as ISO 3166-1 codes.
TARGET_MARKET_COUNTRIES = ("US", "CA", "SG", "MY", "KR", "IL", "JP", "AU", "ZA")
_MARKET_NAMES = {"usa": "USA", "south-korea": "South Korea", "south-africa": "South Africa"}


def country_name(code: str | None) -> str:
    """'KR' -> 'South Korea' (CLDR English names); an unknown code is shown as given."""
    if not code:
        return ""
    return Locale("en").territories.get(code.upper(), code)


def market_name(slug: str | None) -> str:
    """A registry market slug as people write it: 'south-africa' -> 'South Africa', 'usa' -> 'USA'."""
    if not slug:
        return ""
    return _MARKET_NAMES.get(slug, slug.replace("-", " ").title())


def country_choices(present: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) for the country filter: the target markets first, then other countries the results hold."""
    others = sorted({code.upper() for code in present} - set(TARGET_MARKET_COUNTRIES), key=country_name)
    return [(code, country_name(code)) for code in (*TARGET_MARKET_COUNTRIES, *others)]


# -- organisations --------------------------------------------------------------------------------------

ORGANISATION_LIST_PARAMETERS = ("market", "country", "type")


def parse_organisation_filters(args: MultiDict) -> dict[str, tuple[str, ...]]:
    """market (registry slug), country (ISO 3166-1 alpha-2), type (organisation type), each repeatable."""
    check_parameters(args, ORGANISATION_LIST_PARAMETERS, repeatable=ORGANISATION_LIST_PARAMETERS)
    return {
        "markets": _choices(args, "market", MARKETS, "market", normalise=str.lower),
        "countries": _choices(args, "country", COUNTRY_CODES, "country code (ISO 3166-1 alpha-2)", normalise=str.upper),
        "types": _choices(args, "type", TYPES, "organisation type", normalise=str.lower),
    }
