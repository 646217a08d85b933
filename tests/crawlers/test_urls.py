from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawlers.urls import (
    MAX_CALENDAR_HOPS, canonical_url, crawl_trap_reason, dedup_key, host_of, is_date_navigation, is_dated,
)


@pytest.mark.parametrize("url, expected", [
    ("HTTP://Example.COM:80/a?b=2&a=1#top", "http://example.com/a?a=1&b=2"),
    ("https://example.com:443", "https://example.com/"),
    ("http://127.0.0.1:8123/x/#frag", "http://127.0.0.1:8123/x/"),
    ("http://example.com/tag/%E5%BC%80%E6%BA%90/", "http://example.com/tag/%E5%BC%80%E6%BA%90/"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_host_of_keeps_non_default_port():
    assert host_of("http://LOCALHOST:8080/a") == "localhost:8080"
    assert host_of("https://a.test:443/") == "a.test"


# -- tracking and session parameters ------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("http://a.test/p?utm_source=x&UTM_Medium=y&id=3", "http://a.test/p?id=3"),
    ("http://a.test/p?gclid=1&fbclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6&_hsenc=7&_hsmi=8&yclid=9",
     "http://a.test/p"),
    ("http://a.test/shop;jsessionid=ABC123?sid=9&item=2", "http://a.test/shop?item=2"),
    ("http://a.test/shop;JSESSIONID=ABC123", "http://a.test/shop"),
    ("http://a.test/x?PHPSESSID=1&SessionId=2&session_id=3&sessid=4&page=2", "http://a.test/x?page=2"),
    ("http://a.test/x?side=1&utmost=2", "http://a.test/x?side=1&utmost=2"),  # look-alike names are kept
])
def test_canonical_url_drops_tracking_and_session_parameters(url, expected):
    assert canonical_url(url) == expected


def test_session_variants_of_one_page_share_one_canonical_url():
    variants = [f"http://a.test/shop;jsessionid={n}?sid={n}&utm_campaign=c{n}" for n in range(5)]
    assert {canonical_url(url) for url in variants} == {"http://a.test/shop"}


@pytest.mark.parametrize("url", [
    "http://a.test/docs", "http://a.test/docs/", "http://a.test/docs/index.html", "http://A.test:80/docs/#top",
])
def test_dedup_key_ignores_trailing_slash_and_index_document(url):
    assert dedup_key(url) == "http://a.test/docs"


def test_dedup_key_keeps_distinct_pages_apart():
    assert dedup_key("http://a.test/") == "http://a.test/"
    assert dedup_key("http://a.test/a?x=1") != dedup_key("http://a.test/a?x=2")
    assert dedup_key("http://a.test/a/index.html") != dedup_key("http://a.test/b/")


# -- crawl traps -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://a.test/",
    "http://a.test/products/laser-scanner/",
    "http://a.test/news/2025/03/new-oct-probe/",
    "http://a.test/news/2011/05/archived-press-release/",  # old news archives stay reachable
    "http://a.test/events?year=2026&month=4",
    "http://a.test/a/b/c/d/e/f/g/h/i/j/k/l",  # 12 segments
    "http://a.test/search?" + "&".join(f"p{n}=1" for n in range(8)),
    "http://a.test/post/page/2/",
])
def test_ordinary_urls_are_not_traps(url):
    assert crawl_trap_reason(url, current_year=2026) is None


@pytest.mark.parametrize("url, reason", [
    ("http://a.test/a/a/a/", "repeated-segment"),
    ("http://a.test/a/x/a/y/a", "repeated-segment"),
    ("http://a.test/en/products/en/products/", "repeated-path-run"),
    ("http://a.test/a/b/c/d/e/f/g/h/i/j/k/l/m", "too-many-segments"),
    ("http://a.test/search?" + "&".join(f"p{n}=1" for n in range(9)), "too-many-parameters"),
    ("http://a.test/search?q=" + "x" * 300, "long-query"),
    ("http://a.test/calendar?year=2031&month=1", "calendar-year"),
    ("http://a.test/calendar?date=1989-12-31", "calendar-year"),
    ("http://a.test/events/2040/07/", "calendar-year"),
])
def test_trap_urls_are_recognised(url, reason):
    assert crawl_trap_reason(url, current_year=2026) == reason


def test_calendar_walk_is_bounded_by_hops():
    assert crawl_trap_reason("http://a.test/cal?month=5&year=2026", calendar_hops=MAX_CALENDAR_HOPS,
                             current_year=2026) is None
    assert crawl_trap_reason("http://a.test/cal?month=5&year=2026", calendar_hops=MAX_CALENDAR_HOPS + 1,
                             current_year=2026) == "calendar-walk"


@pytest.mark.parametrize("from_url, to_url, expected", [
    ("http://a.test/cal?year=2026&month=4", "http://a.test/cal?year=2026&month=5", True),
    ("http://a.test/cal?year=2026&month=12", "http://a.test/cal?month=1&year=2027", True),
    ("http://a.test/events/2026/04/", "http://a.test/events/2026/05/", True),
    ("http://a.test/events/2026/04/", "http://a.test/events/2026/04/talk/", False),
    ("http://a.test/cal?year=2026&month=4&room=1", "http://a.test/cal?year=2026&month=4&room=2", False),
    ("http://a.test/post/page/2/", "http://a.test/post/page/3/", False),  # pagination is not a calendar
    ("http://a.test/cal?year=2026", "http://a.test/cal?year=2026", False),
])
def test_date_navigation(from_url, to_url, expected):
    assert is_date_navigation(from_url, to_url) is expected


# -- properties, over URLs hypothesis makes up ------------------------------------------------------------------

URL_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs",))
HOSTS = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?(\.[A-Za-z]{2,6}){0,2}", fullmatch=True)
SEGMENTS = st.text(URL_TEXT, max_size=12).map(lambda text: text.replace("/", "").replace("?", "").replace("#", ""))
PARAMETER_NAMES = st.one_of(st.sampled_from(["utm_source", "gclid", "sid", "JSESSIONID", "page", "id", "q"]),
                            st.text(URL_TEXT, max_size=8))


@st.composite
def web_urls(draw) -> str:
    """Absolute http(s) URLs with odd case, ports, encodings, session path parameters, queries and fragments."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    port = draw(st.one_of(st.none(), st.sampled_from([80, 443]), st.integers(1, 65535)))
    path = "/".join(draw(st.lists(SEGMENTS, max_size=6)))
    if draw(st.booleans()):
        path += ";jsessionid=" + draw(st.from_regex(r"[A-Za-z0-9]{0,12}", fullmatch=True))
    pairs = draw(st.lists(st.tuples(PARAMETER_NAMES, st.text(URL_TEXT, max_size=8)), max_size=5))
    query = "&".join(f"{name}={value}" for name, value in pairs).replace("#", "")
    fragment = draw(st.text(URL_TEXT, max_size=8))
    netloc = draw(HOSTS) + (f":{port}" if port is not None else "")
    return f"{scheme}://{netloc}/{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@given(web_urls())
def test_canonical_url_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(web_urls())
def test_canonical_url_stays_on_the_host_and_port(url):
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    expected_host = parts.hostname + ("" if parts.port in (None, default_port) else f":{parts.port}")
    assert host_of(url) == expected_host
    assert urlsplit(canonical_url(url)).netloc == expected_host


@given(web_urls())
def test_a_link_and_its_canonical_url_share_one_dedup_key(url):
    # The spider keys links as found; the store holds canonical URLs: both must meet.
    assert dedup_key(url) == dedup_key(canonical_url(url))


@pytest.mark.parametrize("url", ["http://a.test/;;jsessionid=", "http://a.test/x;;JSESSIONID=1"])
def test_session_path_parameter_leaving_an_empty_parameter_is_canonical_in_one_pass(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize("url", ["http://[", "http://a.test:99999/", "http://a.test:port/", "http://a\uff03b/"])
def test_unparsable_urls_come_back_as_given_and_are_no_trap(url):
    assert canonical_url(url) == dedup_key(url) == url
    assert crawl_trap_reason(url) is None


@given(st.text())
def test_url_helpers_never_raise_on_any_text(text):
    for helper in (canonical_url, dedup_key, host_of, crawl_trap_reason, is_dated):
        helper(text)
    is_date_navigation(text, text + "?year=2031")
