import pytest

from crawlers.urls import (
    MAX_CALENDAR_HOPS, canonical_url, crawl_trap_reason, dedup_key, host_of, is_date_navigation,
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
