"""The search app's service layer: the calls into the search service and the store for the views.

Views stay thin (parse → one call here → render or JSON), so the HTML page, the JSON API and `scout search`
can never disagree: all validate through `retrieval.requests.parse_search_request` and search through one
`retrieval.service.Searcher`. Every store read here opens the store read-only: no web request can write it.
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Mapping, NamedTuple

from babel import Locale

from retrieval import requests as search_requests
from retrieval import results_json
from retrieval.layout import current_index
from retrieval.requests import PAGE_SIZE, SearchRequest, choices
from retrieval.results import SearchResults
from retrieval.service import Searcher, last_crawl_day
from scout import shapes
from scout.registry import COUNTRY_CODES, MARKETS, TYPES
from scout.settings import Settings
from search_app import charts
from store import PageView, Store
from taxonomy import APPLICATIONS, TRL_SCALE

# Re-exported: the views and other routes reach the search service's names through this module.
from retrieval.engine import IndexMissingError  # noqa: E402,F401
from retrieval.requests import MAX_PAGE, MAX_PAGE_SIZE, RequestError, check_parameters  # noqa: E402,F401
from retrieval.service import STALE_INDEX_MESSAGE, StaleIndexError  # noqa: E402,F401

# SQLite row ids are signed 64-bit; a larger number in a URL cannot name a page (and would overflow the driver).
MAX_PAGE_ID = 2**63 - 1
# Below this probability of being within one level of the estimate, a TRL is shown as uncertain.
LOW_TRL_CONFIDENCE = 0.5

NO_INDEX_MESSAGE = "No index yet: run scout crawl, scout process, scout index"

# Labels come from the taxonomy's TRL scale, the same one the estimator's cues belong to.
TRL_LABELS = {level: info.label for level, info in sorted(TRL_SCALE.items())}
TRL_DEFINITIONS = {level: info.definition for level, info in sorted(TRL_SCALE.items())}


# -- searching ----------------------------------------------------------------------------------------


def parse_search_request(settings: Settings, args: Mapping[str, list[str]],
                         formats: tuple[str, ...] = ("json",)) -> SearchRequest:
    """The request's search parameters validated (retrieval.requests); raises RequestError naming the bad one."""
    return search_requests.parse_search_request(args, last_crawl=last_crawl_day(settings.database_path),
                                                formats=formats)


def run_search(searcher: Searcher, search: SearchRequest) -> SearchResults:
    """One page of ranked hits with facet counts; raises IndexMissingError before `scout index` ran.

    Grouped by organisation, a page holds `limit` organisations with up to PAGES_PER_GROUP hits each.
    """
    return searcher.search(search)


def result_page_count(results: SearchResults, limit: int = PAGE_SIZE) -> int:
    """Pages of results (of organisations, when grouped) that can be asked for."""
    return results_json.result_page_count(results, limit)


def page_count(total: int, limit: int = PAGE_SIZE) -> int:
    """Pages of `limit` results that can be asked for (0 when there are no results)."""
    return results_json.page_count(total, limit)


def search_json(results: SearchResults, page: int, limit: int) -> dict[str, Any]:
    """The results as JSON (scout.shapes): the same function `scout search --json` prints with."""
    return results_json.search_json(results, page, limit)


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
    with Store.open(settings.database_path, read_only=True) as store:
        return store.trl_records(page_ids)


def organisation_names(settings: Settings, organisation_ids) -> dict[str, str]:
    """Names for organisation ids (facet values carry ids only); an id the store lacks is left out."""
    if not settings.database_path.exists():
        return {}
    with Store.open(settings.database_path, read_only=True) as store:
        return store.organisation_names(organisation_ids)


# -- pages and statistics -----------------------------------------------------------------------------


def page_detail(settings: Settings, page_id: int) -> PageView | None:
    """The page with this id, or None (also for ids no page can have, such as 0, -1 or 10**30)."""
    # A web request must not create an empty database as a side effect of Store.open.
    if not 1 <= page_id <= MAX_PAGE_ID or not settings.database_path.exists():
        return None
    with Store.open(settings.database_path, read_only=True) as store:
        return store.page(page_id)


def stats(settings: Settings) -> dict[str, Any]:
    counts: dict[str, int] = {
        "organisations": 0, "pages": 0, "duplicate_pages": 0, "processed_pages": 0, "tagged_pages": 0,
        "indexed_pages": 0,
    }
    last_run = None
    if settings.database_path.exists():
        with Store.open(settings.database_path, read_only=True) as store:
            counts = store.stats()
            last_run = store.last_crawl_run()
    from indexer.index.build import indexed_page_count

    return shapes.stats(counts, indexed_page_count(settings.index_dir), index_exists(settings), last_run)


def index_exists(settings: Settings) -> bool:
    try:
        current_index(settings.index_dir)
    except IndexMissingError:
        return False
    return True


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


def area_label(area: str) -> str:
    """'diagnostics_imaging' -> 'Diagnostics imaging'."""
    return area.replace("_", " ").capitalize()


@functools.cache
def _role_labels() -> dict[str, str]:
    from taxonomy import load_roles

    return {role: info.label for role, info in load_roles().roles.items()}


def role_label(role: str) -> str:
    return _role_labels().get(role, role)


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


def parse_organisation_filters(args: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """market (registry slug), country (ISO 3166-1 alpha-2), type (organisation type), each repeatable."""
    check_parameters(args, ORGANISATION_LIST_PARAMETERS, repeatable=ORGANISATION_LIST_PARAMETERS)
    return {
        "markets": choices(args, "market", MARKETS, "market", str.lower),
        "countries": choices(args, "country", COUNTRY_CODES, "country code (ISO 3166-1 alpha-2)", str.upper),
        "types": choices(args, "type", TYPES, "organisation type", str.lower),
    }
