"""Request parsing and link building, without Flask or an index."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from indexer.index.fulltext import SearchFilters
from search_app import links
from search_app.service import MAX_PAGE, PAGE_SIZE, RequestError, SearchRequest, parse_search_request


def parse(**params):
    return parse_search_request(MultiDict([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]))


def test_defaults():
    assert parse() == SearchRequest("", SearchFilters(), 1, PAGE_SIZE, "")


def test_every_parameter_is_parsed_and_normalised():
    search = parse(
        q="  oct  ", app=["a20", "A04", "A20", ""], trl_min="5", trl_max="9", country=["us", "DE"], type="Company",
        lang="EN", org=["Acme-Retina", "site-127-0-0-1-8000"], published_after="2024-03-04", sort="TRL",
        group="organisation", page="3", limit="50", format="json")
    assert search.query == "oct"
    assert search.filters == SearchFilters(applications=("A20", "A04"), trl_min=5, trl_max=9, countries=("US", "DE"),
                                           organisation_types=("company",), languages=("en",),
                                           organisations=("acme-retina", "site-127-0-0-1-8000"),
                                           published_after=date(2024, 3, 4))
    assert search.page == 3 and search.limit == 50 and search.format == "json"
    assert search.sort == "trl" and search.group == "organisation"


@pytest.mark.parametrize("sort", ["relevance", "trl", "date", "published", "Published"])
def test_sort_is_one_validated_parameter(sort):
    assert parse(sort=sort).sort == sort.lower()


def test_empty_form_values_mean_any():
    assert parse(app="", trl_min="", country="", page="", limit="") == SearchRequest(
        "", SearchFilters(), 1, PAGE_SIZE, "")


@pytest.mark.parametrize("params", [
    {"trl_min": "0"}, {"trl_max": "10"}, {"trl_min": "5.5"}, {"app": "A36"}, {"app": "<script>"},
    {"lang": "xx"}, {"page": str(MAX_PAGE + 1)}, {"q": "x" * 501}, {"app": ["A01"] * 36},
    {"format": "JSON"}, {"limit": "101"}, {"trl-min": "7"}, {"q": ["a", "b"]},
    {"sort": "random"}, {"sort": ["trl", "date"]}, {"group": "country"}, {"org": "<script>"}, {"org": "a b"},
])
def test_invalid_parameters_raise_request_error(params):
    with pytest.raises(RequestError):
        parse(**params)


def test_links_keep_other_filters_and_reset_the_page():
    args = MultiDict([("q", "oct"), ("app", "A20"), ("page", "3"), ("format", "json")])
    assert links.with_filter(args, "country", "DE") == "?q=oct&app=A20&country=DE"
    assert links.with_filter(args, "app", "A20") == "?q=oct&app=A20"
    assert links.without_filter(args, "app", "A20") == "?q=oct"
    assert links.with_trl(args, "7") == "?q=oct&app=A20&trl_min=7&trl_max=7"
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
