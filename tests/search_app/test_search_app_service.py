"""Link building, without Flask or an index (request parsing is tested in tests/retrieval/test_requests.py)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from search_app import links


def test_links_keep_other_filters_and_reset_the_page():
    args = MultiDict([("q", "oct"), ("app", "A20"), ("page", "3"), ("format", "json")])
    assert links.with_filter(args, "country", "DE") == "?q=oct&app=A20&country=DE"
    assert links.with_filter(args, "app", "A20") == "?q=oct&app=A20"
    assert links.without_filter(args, "app", "A20") == "?q=oct"
    assert links.with_trl(args, "7") == "?q=oct&app=A20&trl_min=7&trl_max=7"
    assert links.with_trl_band(args, 4, 6) == "?q=oct&app=A20&trl_min=4&trl_max=6"
    assert links.with_value(args, "since", "last-crawl") == "?q=oct&app=A20&since=last-crawl"
    assert links.with_page(args, 4) == "?q=oct&app=A20&page=4"
    assert links.with_filter(MultiDict([("q", "a&b=c")]), "app", "A01") == "?q=a%26b%3Dc&app=A01"


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/x", "https://example.org/x"),
    ("http://example.org", "http://example.org"),
    ("javascript:alert(1)", None),
    (" JavaScript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("", None),
    (None, None),
])
def test_external_href_allows_only_http(url, expected):
    assert links.external_href(url) == expected
