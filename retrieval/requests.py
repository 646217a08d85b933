"""The one validation of a search request, shared by the CLI, the HTML page and the JSON API.

Every caller hands over its parameters as name -> list of strings (a query string, or the CLI's options
under the same names), so the same bad input gets the same message everywhere. The separate filter
parameters are folded into the parsed query with AND: `q=oct&country=KR` means `oct country:KR`.

Imports stay light (no Flask, Whoosh or torch): `scout search` validates before it opens anything.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from retrieval.engine import SORTS
from retrieval.query import Match, Node, QueryError, Range, Since, all_of, parse, role_ids

MODES = ("hybrid", "bm25", "vectors")
GROUPINGS = ("organisation",)
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Ranked pages are collected up to offset + limit before slicing, so a deep page costs all pages before it.
MAX_PAGE = 50
MAX_QUERY_LENGTH = 500
MAX_VALUES_PER_FILTER = 35  # enough to select every application at once
LAST_CRAWL = "last-crawl"
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Organisation ids are registry slugs or an ad-hoc site's host name: letters, digits, dots, dashes, underscores.
ORGANISATION_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")

SEARCH_PARAMETERS = ("q", "app", "area", "trl_min", "trl_max", "country", "market", "type", "role", "lang", "org",
                     "since", "published_after", "sort", "group", "mode", "page", "limit", "format")
REPEATABLE_PARAMETERS = frozenset({"app", "area", "country", "market", "type", "role", "lang", "org"})


class RequestError(ValueError):
    """A request Scout cannot answer; the message is shown as is and names the bad parameter."""

    def __init__(self, message: str, parameter: str | None = None, code: str = "invalid_parameter"):
        super().__init__(message)
        self.parameter = parameter
        self.code = code


@dataclass(frozen=True)
class SearchRequest:
    text: str  # the query as typed (trimmed)
    node: Node | None  # the query with every separate filter parameter ANDed in; None: every page
    mode: str = "hybrid"  # one of MODES
    sort: str = "relevance"  # one of SORTS
    group: str = ""  # "" or one of GROUPINGS
    page: int = 1
    limit: int = PAGE_SIZE
    format: str = ""
    # The separate filter parameters as given (normalised), for showing and removing them one by one.
    applications: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    countries: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    since: date | None = None
    published_after: date | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def parse_search_request(params: Mapping[str, list[str]], *, last_crawl: date | None,
                         formats: tuple[str, ...] = ("json",), default_mode: str = "hybrid") -> SearchRequest:
    """Validates search parameters (name -> values; a Werkzeug MultiDict works too); raises RequestError.

    Parameters: q (Scout's query language, at most MAX_QUERY_LENGTH characters), app (A01..A35), area
    (thematic area), trl_min, trl_max (1..9), country (ISO 3166-1 alpha-2), market (registry market), type
    (organisation type), role (value-chain role), lang (ISO 639-1), org (organisation id), since
    (YYYY-MM-DD or "last-crawl": changed on or after), published_after (YYYY-MM-DD), sort (SORTS), group
    (GROUPINGS), mode (MODES), page (1..MAX_PAGE), limit (1..MAX_PAGE_SIZE), format (one of `formats`).
    The filters marked repeatable take several values, ORed. Empty values are ignored, because an HTML
    form sends "" for "any"; anything else wrong is an error, so no misspelt filter is silently dropped.
    `last_crawl` is the day the last crawl started, which "last-crawl" stands for.
    """
    params = _as_lists(params)
    check_parameters(params, SEARCH_PARAMETERS)
    text = _single(params, "q").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise RequestError(f"q: the query is longer than {MAX_QUERY_LENGTH} characters", "q")
    try:
        query = parse(text, last_crawl=last_crawl)
    except QueryError as exc:
        raise RequestError(f"q: {exc}", "q", "invalid_query") from None

    from scout.registry import COUNTRY_CODES, LANGUAGE_CODES, MARKETS, TYPES
    from taxonomy import APPLICATIONS, AREAS

    applications = _choices(params, "app", APPLICATIONS, "application id", str.upper)
    areas = _choices(params, "area", AREAS, "thematic area", _slug_underscored)
    countries = _choices(params, "country", COUNTRY_CODES, "country code (ISO 3166-1 alpha-2)", str.upper)
    markets = _choices(params, "market", MARKETS, "market", str.lower)
    types = _choices(params, "type", TYPES, "organisation type", str.lower)
    roles = _choices(params, "role", role_ids(), "role", str.lower)
    languages = _choices(params, "lang", LANGUAGE_CODES, "language code (ISO 639-1)", str.lower)
    organisations = _organisation_ids(params)
    trl_min = _integer(params, "trl_min", 1, 9)
    trl_max = _integer(params, "trl_max", 1, 9)
    if trl_min is not None and trl_max is not None and trl_min > trl_max:
        raise RequestError(f"trl_min ({trl_min}) is greater than trl_max ({trl_max})", "trl_min")
    since = _since(params, last_crawl)
    published_after = _date(params, "published_after")
    sort = _one_of(params, "sort", SORTS) or "relevance"
    group = _one_of(params, "group", GROUPINGS)
    mode = _one_of(params, "mode", MODES) or default_mode
    page = _integer(params, "page", 1, MAX_PAGE) or 1
    limit = _integer(params, "limit", 1, MAX_PAGE_SIZE) or PAGE_SIZE
    response_format = _single(params, "format")
    if response_format and response_format not in formats:
        shown = " or ".join(map(repr, formats)) if formats else "absent"
        raise RequestError(f"format must be {shown}, not {response_format[:40]!r}", "format")

    filters: list[Node] = [Match(field, values) for field, values in (
        ("application", applications), ("area", areas), ("country", countries), ("market", markets),
        ("organisation_type", types), ("role", roles), ("language", languages), ("organisation_id", organisations),
    ) if values]
    if trl_min is not None or trl_max is not None:
        filters.append(Range("trl", trl_min or 1, trl_max or 9))
    if since is not None:
        filters.append(Since("last_changed_at", since))
    if published_after is not None:
        filters.append(Since("published", published_after))
    return SearchRequest(
        text=text, node=combined(query, filters), mode=mode, sort=sort, group=group, page=page, limit=limit,
        format=response_format, applications=applications, areas=areas, trl_min=trl_min, trl_max=trl_max,
        countries=countries, markets=markets, types=types, roles=roles, languages=languages,
        organisations=organisations, since=since, published_after=published_after,
    )


def combined(query: Node | None, filters: Iterable[Node]) -> Node | None:
    """The query ANDed with the filters, flat (no All inside All); None when there is neither."""
    return all_of((query, *filters))


def check_parameters(params: Mapping[str, list[str]], known: tuple[str, ...],
                     repeatable: Iterable[str] = REPEATABLE_PARAMETERS) -> None:
    """Rejects parameters a route does not take, and repeats of those it takes once; raises RequestError."""
    params = _as_lists(params)
    for name in params:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                hint = f"did you mean {close[0]!r}?"
            else:
                hint = f"known: {', '.join(known)}" if known else "this address takes none"
            raise RequestError(f"unknown parameter {name[:40]!r} ({hint})", name[:40], "unknown_parameter")
    repeatable = frozenset(repeatable)
    for name in known:
        count = len(params.get(name, ()))
        if count > 1 and name not in repeatable:
            raise RequestError(f"{name} is given {count} times; give it once", name)


def choices(params: Mapping[str, list[str]], name: str, allowed, what: str, normalise) -> tuple[str, ...]:
    """The non-empty values of a repeatable parameter, normalised and checked against `allowed`."""
    return _choices(_as_lists(params), name, allowed, what, normalise)


def _as_lists(params) -> dict[str, list[str]]:
    if hasattr(params, "getlist"):  # a Werkzeug MultiDict, without importing Werkzeug here
        return {name: params.getlist(name) for name in params}
    return {name: list(values) for name, values in params.items()}


def _single(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0] or ""


def _choices(params: dict[str, list[str]], name: str, allowed, what: str, normalise) -> tuple[str, ...]:
    values = [normalise(value.strip()) for value in params.get(name, ()) if value.strip()]
    if len(values) > MAX_VALUES_PER_FILTER:
        raise RequestError(f"{name}: at most {MAX_VALUES_PER_FILTER} values", name)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        shown = ", ".join(repr(value[:40]) for value in unknown[:3])
        raise RequestError(f"{name}: unknown {what} {shown}", name)
    return tuple(dict.fromkeys(values))  # drop repeats, keep order


def _slug_underscored(value: str) -> str:
    # People write "diagnostics-imaging" as often as the taxonomy's "diagnostics_imaging".
    return value.lower().replace("-", "_")


def _organisation_ids(params: dict[str, list[str]]) -> tuple[str, ...]:
    values = [value.strip().lower() for value in params.get("org", ()) if value.strip()]
    if len(values) > MAX_VALUES_PER_FILTER:
        raise RequestError(f"org: at most {MAX_VALUES_PER_FILTER} values", "org")
    malformed = [value for value in values if not ORGANISATION_ID_PATTERN.fullmatch(value)]
    if malformed:
        raise RequestError(f"org: {malformed[0][:40]!r} is not an organisation id", "org")
    return tuple(dict.fromkeys(values))


def _one_of(params: dict[str, list[str]], name: str, allowed: tuple[str, ...]) -> str:
    value = _single(params, name).strip().lower()
    if value and value not in allowed:
        raise RequestError(f"{name} must be {' or '.join(map(repr, allowed))}, not {value[:40]!r}", name)
    return value


def _since(params: dict[str, list[str]], last_crawl: date | None) -> date | None:
    if _single(params, "since").strip().lower() != LAST_CRAWL:
        return _date(params, "since", also=f" or {LAST_CRAWL!r}")
    if last_crawl is None:
        raise RequestError(f"since: {LAST_CRAWL!r} names no day yet, because no crawl has run", "since")
    return last_crawl


def _date(params: dict[str, list[str]], name: str, also: str = "") -> date | None:
    raw = _single(params, name).strip()
    if not raw:
        return None
    try:
        if not DATE_PATTERN.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise RequestError(f"{name} must be a date as YYYY-MM-DD, e.g. 2024-01-31{also}, not {raw[:40]!r}",
                           name) from None


def _integer(params: dict[str, list[str]], name: str, low: int, high: int) -> int | None:
    raw = _single(params, name).strip()
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


def query_language_help() -> str:
    """The query language's grammar and rules as the parser documents them, for `--help` and the help page."""
    from retrieval import query

    paragraphs = (query.__doc__ or "").strip().split("\n\n")
    # From the grammar to the rules on filters and characters; how the parser is written is not for users.
    return "\n\n".join(paragraphs[1:4])
