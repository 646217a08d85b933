"""Query strings for links that change one filter of the current search (facets, active filters, pages).

Each returns "?..." built from the current request's arguments, so every other filter is kept. The
result goes into an href through autoescaping; urlencode has already percent-encoded every value.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import MultiDict

# Facet name (as the index reports it) -> the query parameter that filters on it.
FACET_PARAMS = {"applications": "app", "area": "area", "country": "country", "market": "market",
                "organisation_type": "type", "role": "role", "language": "lang", "organisation_id": "org"}
# What a search is made of; the response format is not, so a link back always leads to the HTML page.
CARRIED_PARAMETERS = frozenset({"q", "app", "area", "trl_min", "trl_max", "country", "market", "type", "role", "lang",
                                "org", "since", "published_after", "sort", "group", "mode", "page", "limit"})

# Changing a filter changes the result set, so an old page number would point past its end.
_RESET_ON_CHANGE = ("page", "format")


def _query_string(args: MultiDict) -> str:
    pairs = [(key, value) for key, value in args.items(multi=True) if value != ""]
    return "?" + urlencode(pairs)


def _copy(args: MultiDict) -> MultiDict:
    copied = MultiDict(args)
    for key in _RESET_ON_CHANGE:
        copied.poplist(key)
    return copied


def with_filter(args: MultiDict, param: str, value: str) -> str:
    copied = _copy(args)
    if value not in copied.getlist(param):
        copied.add(param, value)
    return _query_string(copied)


def without_filter(args: MultiDict, param: str, value: str | None = None) -> str:
    """Drop one value of a repeatable filter, or the whole parameter when value is None."""
    copied = _copy(args)
    kept = [] if value is None else [v for v in copied.getlist(param) if v.upper() != value.upper()]
    copied.setlist(param, kept)
    return _query_string(copied)


def with_trl(args: MultiDict, level: str) -> str:
    copied = _copy(args)
    copied.setlist("trl_min", [level])
    copied.setlist("trl_max", [level])
    return _query_string(copied)


def with_trl_band(args: MultiDict, low: int, high: int) -> str:
    copied = _copy(args)
    copied.setlist("trl_min", [str(low)])
    copied.setlist("trl_max", [str(high)])
    return _query_string(copied)


def without_trl(args: MultiDict) -> str:
    copied = _copy(args)
    copied.poplist("trl_min")
    copied.poplist("trl_max")
    return _query_string(copied)


def with_page(args: MultiDict, page: int) -> str:
    copied = MultiDict(args)
    copied.poplist("format")
    copied.setlist("page", [str(page)])
    return _query_string(copied)


def external_href(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a scraped `javascript:` or `data:` URL must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def carried(args: MultiDict) -> str:
    """The current search's parameters as "?...", or "": added to links into a detail page and back, so
    "← Search" returns to the same query, filters, sort and page."""
    pairs = [(key, value) for key, value in args.items(multi=True)
             if key in CARRIED_PARAMETERS and value != ""]
    return "?" + urlencode(pairs) if pairs else ""


def with_value(args: MultiDict, param: str, value: str) -> str:
    """Set a single-valued parameter (sort, group), back to the first page."""
    copied = _copy(args)
    copied.setlist(param, [value] if value else [])
    return _query_string(copied)


def chart_cell_href(args: MultiDict):
    """For the heat map: the link of a cell, narrowing the current search to its application and country."""
    def href(application: str, country: str) -> str:
        copied = _copy(args)
        for param, value in (("app", application), ("country", country)):
            if value not in copied.getlist(param):
                copied.add(param, value)
        return _query_string(copied)
    return href
