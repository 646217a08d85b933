"""URL canonicalisation and crawl-trap detection: one spelling per resource, and no endless URL spaces."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a visitor came from; the page is the same without them.
TRACKING_PARAMETERS = frozenset({"gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_hsenc", "_hsmi", "yclid"})
TRACKING_PREFIXES = ("utm_",)
# Session identifiers: every visit gets a new one, so each would otherwise look like a new page.
SESSION_PARAMETERS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid"})
SESSION_PATH_PARAMETER = re.compile(
    r";(?:%s)=[^/;?#]*" % "|".join(sorted(SESSION_PARAMETERS)), re.IGNORECASE)
INDEX_DOCUMENTS = ("index.html", "index.htm")

# Crawl-trap bounds.
MAX_SEGMENT_REPEATS = 2  # a segment seen 3 times (/a/x/a/y/a) is a loop of relative links
MAX_PATH_SEGMENTS = 12
MAX_QUERY_PARAMETERS = 8
MAX_QUERY_LENGTH = 300
# Calendars link to any year; real content is rarely dated in the future, and news archives of a web-era
# organisation reach back a few decades at most.
CALENDAR_YEARS_AHEAD = 2
CALENDAR_YEARS_BACK = 30
MAX_CALENDAR_HOPS = 12  # next/prev steps through date-parametrised pages followed from the first one reached

YEAR = r"(?:19|20|21)\d\d"
YEAR_SEGMENT = re.compile(rf"^({YEAR})(?:-\d\d?(?:-\d\d?)?)?$")  # 2031, 2031-07, 2031-07-14
DAY_OR_MONTH_SEGMENT = re.compile(r"^\d\d?$")
DATE_PARAMETER = re.compile(r"date|year|month|day|week|^(?:y|yr|m|mo|d|w|from|to|start|end)$", re.IGNORECASE)
YEAR_IN_VALUE = re.compile(rf"^({YEAR})(?:$|[-/.]\d)")  # 2031, 2031-07-14, 2031/07


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments, tracking and session parameters; sort the query.

    A URL whose host or port cannot be parsed comes back as given: it names no site, so no target allows it.
    """
    try:
        raw = urlsplit(url)
        # Session ids go before w3lib normalises the path, which would otherwise differ on a second pass
        # (a path left ending in ";" loses it only then).
        canonical = canonicalize_url(raw._replace(path=SESSION_PATH_PARAMETER.sub("", raw.path)).geturl(),
                                     keep_fragments=False)
        parts = urlsplit(canonical)
        port = parts.port
    except ValueError:  # "http://[", "http://a:99999/", a host with characters that normalise to "/"
        return url
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 literal
        netloc = f"[{netloc}]"
    if port and port != DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", _without_noise_parameters(parts.query), ""))


def _split(url: str) -> SplitResult:
    """The parts of a URL; an unparsable one has none (no scheme, no host, no path)."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _without_noise_parameters(query: str) -> str:
    """Drop tracking and session parameters, keeping w3lib's encoding of the others untouched."""
    kept = [pair for pair in query.split("&") if pair and not _is_noise_parameter(_parameter_name(pair))]
    return "&".join(kept)


def _parameter_name(pair: str) -> str:
    return unquote(pair.split("=", 1)[0].replace("+", " ")).lower()


def _is_noise_parameter(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name in SESSION_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def dedup_key(url: str) -> str:
    """The canonical URL with /x, /x/ and /x/index.html made one: what "already seen" compares."""
    canonical = canonical_url(url)
    parts = _split(canonical)
    if not parts.netloc:
        return canonical
    path = parts.path
    for index_document in INDEX_DOCUMENTS:
        if path.endswith("/" + index_document):
            path = path[: -len(index_document)]
    path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    """host[:port] of a URL, lower-cased, default port omitted."""
    return _split(canonical_url(url)).netloc


# -- crawl traps ------------------------------------------------------------------


def crawl_trap_reason(url: str, *, calendar_hops: int = 0, current_year: int | None = None) -> str | None:
    """Why a URL looks like part of an endless URL space, or None when it looks like an ordinary page.

    ``calendar_hops`` is how many date-navigation steps (see ``is_date_navigation``) led to it in a row.
    """
    parts = _split(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    parameters = _query_parameters(parts.query)
    year = current_year or date.today().year
    checks = (
        ("repeated-segment", _has_repeated_segment(segments)),
        ("repeated-path-run", _has_repeated_run(segments)),
        ("too-many-segments", len(segments) > MAX_PATH_SEGMENTS),
        ("too-many-parameters", len(parameters) > MAX_QUERY_PARAMETERS),
        ("long-query", len(parts.query) > MAX_QUERY_LENGTH),
        ("calendar-year", _has_distant_year(segments, parameters, year)),
        ("calendar-walk", calendar_hops > MAX_CALENDAR_HOPS),
    )
    return next((reason for reason, is_trap in checks if is_trap), None)


def is_date_navigation(from_url: str, to_url: str) -> bool:
    """Whether a link only moves a date: same page template, different date (a calendar's next/prev)."""
    from_template, to_template = _date_template(from_url), _date_template(to_url)
    return from_template is not None and from_template == to_template and from_url != to_url


def is_dated(url: str) -> bool:
    """Whether a URL carries a date (a year segment, a date-named parameter): a possible calendar page."""
    return _date_template(url) is not None


def _query_parameters(query: str) -> list[tuple[str, str]]:
    pairs = [pair.partition("=") for pair in query.split("&") if pair]
    return [(unquote(name), unquote(value)) for name, _, value in pairs]


def _has_repeated_segment(segments: list[str]) -> bool:
    return any(count > MAX_SEGMENT_REPEATS for count in Counter(segments).values())


def _has_repeated_run(segments: list[str]) -> bool:
    """/a/b/a/b: a run of two or more segments directly repeated, the mark of a relative-link loop."""
    for run_length in range(2, len(segments) // 2 + 1):
        for start in range(len(segments) - 2 * run_length + 1):
            middle = start + run_length
            if segments[start:middle] == segments[middle:middle + run_length]:
                return True
    return False


def _has_distant_year(segments: list[str], parameters: list[tuple[str, str]], current_year: int) -> bool:
    years = [int(match.group(1)) for match in map(YEAR_SEGMENT.match, segments) if match]
    years += [int(match.group(1)) for name, value in parameters
              if DATE_PARAMETER.search(name) and (match := YEAR_IN_VALUE.match(value))]
    return any(year > current_year + CALENDAR_YEARS_AHEAD or year < current_year - CALENDAR_YEARS_BACK
               for year in years)


def _date_template(url: str) -> str | None:
    """The URL with its date parts masked (year segments and the day/month segments after them, values of
    date-named parameters), or None when it has no date parts."""
    parts = _split(url)
    masked_any = False
    segments = []
    after_year = False
    for segment in parts.path.split("/"):
        if YEAR_SEGMENT.match(segment) or (after_year and DAY_OR_MONTH_SEGMENT.match(segment)):
            segments.append("{date}")
            masked_any = after_year = True
        else:
            segments.append(segment)
            after_year = False
    parameters = []
    for name, value in _query_parameters(parts.query):
        if DATE_PARAMETER.search(name):
            value, masked_any = "{date}", True
        parameters.append(f"{name}={value}")
    if not masked_any:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/".join(segments), "&".join(sorted(parameters)), ""))
