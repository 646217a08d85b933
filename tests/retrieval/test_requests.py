"""The one validation of a search request: every parameter, how it folds into the query, and its errors.

The parity tests send the same bad input through `scout search` (click's CliRunner) and the JSON API and
expect the same message: exit 2 with "scout: error: <message>" there, HTTP 400 with the message here.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from retrieval.query import All, Match, Not, Range, Since, Word
from retrieval.requests import (
    MAX_PAGE, MAX_QUERY_LENGTH, PAGE_SIZE, RequestError, SearchRequest, combined, parse_search_request,
    query_language_help,
)
from tests.conftest import REPO_ROOT

LAST_CRAWL = date(2026, 11, 2)


def parse(**params) -> SearchRequest:
    lists = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    return parse_search_request(lists, last_crawl=LAST_CRAWL, formats=("json",))


def error_of(**params) -> RequestError:
    with pytest.raises(RequestError) as caught:
        parse(**params)
    return caught.value


def test_defaults():
    search = parse()
    assert search == SearchRequest(text="", node=None)
    assert (search.mode, search.sort, search.page, search.limit, search.offset) == ("hybrid", "relevance", 1,
                                                                                  PAGE_SIZE, 0)


def test_every_parameter_is_parsed_normalised_and_anded_into_the_query():
    search = parse(
        q="  oct -retina ", app=["a20", "A04", "A20", ""], area="Diagnostics-Imaging", trl_min="5", trl_max="9",
        country=["us", "DE"], market="Japan", type="Company", role="System-Supplier", lang="EN",
        org=["Acme-Retina", "site-127-0-0-1-8000"], since="2026-01-05", published_after="2024-03-04", sort="TRL",
        group="organisation", mode="BM25", page="3", limit="50", format="json")
    assert search.text == "oct -retina"
    assert search.node == All((
        Word("oct"), Not(Word("retina")),
        Match("application", ("A20", "A04")), Match("area", ("diagnostics_imaging",)),
        Match("country", ("US", "DE")), Match("market", ("japan",)), Match("organisation_type", ("company",)),
        Match("role", ("system-supplier",)), Match("language", ("en",)),
        Match("organisation_id", ("acme-retina", "site-127-0-0-1-8000")),
        Range("trl", 5, 9), Since("last_changed_at", date(2026, 1, 5)), Since("published", date(2024, 3, 4)),
    ))
    assert (search.applications, search.areas, search.countries, search.markets, search.types, search.roles,
            search.languages) == (("A20", "A04"), ("diagnostics_imaging",), ("US", "DE"), ("japan",),
                                  ("company",), ("system-supplier",), ("en",))
    assert (search.sort, search.group, search.mode, search.page, search.limit, search.format) == (
        "trl", "organisation", "bm25", 3, 50, "json")
    assert search.offset == 100


def test_in_query_filters_and_parameters_combine_with_and():
    search = parse(q="oct country:KR", country="JP")
    # Both stay: a page must be in KR and in JP, so nothing matches; the parameter does not replace the filter.
    assert search.node == All((Word("oct"), Match("country", ("KR",)), Match("country", ("JP",))))


def test_an_or_query_is_kept_whole_under_the_filters():
    search = parse(q="oct OR pdt", trl_min="7")
    assert isinstance(search.node, All) and search.node.parts[1] == Range("trl", 7, 9)
    assert combined(None, []) is None and combined(Word("x"), []) == Word("x")


@pytest.mark.parametrize("since, day", [("last-crawl", LAST_CRAWL), ("Last-Crawl", LAST_CRAWL),
                                        ("2025-12-31", date(2025, 12, 31))])
def test_since_takes_a_day_or_the_last_crawl(since, day):
    assert parse(since=since).node == Since("last_changed_at", day)


def test_since_last_crawl_before_any_crawl_says_so():
    with pytest.raises(RequestError, match="no crawl has run") as caught:
        parse_search_request({"since": ["last-crawl"]}, last_crawl=None)
    assert caught.value.parameter == "since"


def test_empty_form_values_mean_any():
    assert parse(app="", trl_min="", country="", page="", limit="", since="", mode="") == SearchRequest("", None)


def test_a_werkzeug_multidict_is_accepted():
    args = MultiDict([("q", "oct"), ("app", "A20"), ("app", "A04")])
    search = parse_search_request(args, last_crawl=None)
    assert search.node == All((Word("oct"), Match("application", ("A20", "A04"))))


def test_the_default_mode_is_the_callers():
    assert parse_search_request({"q": ["oct"]}, last_crawl=None, default_mode="bm25").mode == "bm25"
    assert parse_search_request({"q": ["oct"], "mode": ["vectors"]}, last_crawl=None, default_mode="bm25").mode == \
        "vectors"


@pytest.mark.parametrize("params, parameter, message", [
    ({"trl_min": "0"}, "trl_min", "trl_min must be from 1 to 9, not 0"),
    ({"trl_max": "10"}, "trl_max", "trl_max must be from 1 to 9, not 10"),
    ({"trl_min": "5.5"}, "trl_min", "trl_min must be a whole number from 1 to 9, not '5.5'"),
    ({"trl_min": "7", "trl_max": "3"}, "trl_min", "trl_min (7) is greater than trl_max (3)"),
    ({"app": "A36"}, "app", "app: unknown application id 'A36'"),
    ({"area": "optics"}, "area", "area: unknown thematic area 'optics'"),
    ({"country": "XX"}, "country", "country: unknown country code (ISO 3166-1 alpha-2) 'XX'"),
    ({"market": "mars"}, "market", "market: unknown market 'mars'"),
    ({"type": "pirate"}, "type", "type: unknown organisation type 'pirate'"),
    ({"role": "buyer"}, "role", "role: unknown role 'buyer'"),
    ({"lang": "xx"}, "lang", "lang: unknown language code (ISO 639-1) 'xx'"),
    ({"org": "a b"}, "org", "org: 'a b' is not an organisation id"),
    ({"since": "yesterday"}, "since", "since must be a date as YYYY-MM-DD, e.g. 2024-01-31 or 'last-crawl', "
                                      "not 'yesterday'"),
    ({"published_after": "2024-13-01"}, "published_after", "published_after must be a date as YYYY-MM-DD"),
    ({"sort": "random"}, "sort", "sort must be 'relevance' or 'trl' or 'date' or 'published', not 'random'"),
    ({"group": "country"}, "group", "group must be 'organisation', not 'country'"),
    ({"mode": "fast"}, "mode", "mode must be 'hybrid' or 'bm25' or 'vectors', not 'fast'"),
    ({"page": str(MAX_PAGE + 1)}, "page", f"page must be from 1 to {MAX_PAGE}, not {MAX_PAGE + 1}"),
    ({"limit": "101"}, "limit", "limit must be from 1 to 100, not 101"),
    ({"format": "JSON"}, "format", "format must be 'json', not 'JSON'"),
    ({"q": ["a", "b"]}, "q", "q is given 2 times; give it once"),
    ({"app": ["A01"] * 36}, "app", "app: at most 35 values"),
    ({"trl-min": "7"}, "trl-min", "unknown parameter 'trl-min' (did you mean 'trl_min'?)"),
    ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, "q", f"q: the query is longer than {MAX_QUERY_LENGTH} characters"),
])
def test_invalid_parameters_name_themselves(params, parameter, message):
    error = error_of(**params)
    assert error.parameter == parameter and str(error).startswith(message)


@pytest.mark.parametrize("query, pointer", [
    ('"unclosed', "unclosed quote"),
    ("title:(", 'unknown filter "title:"'),
    ("oct AND", "AND"),
    ("(oct", "("),
    ("trl:>=10", "trl"),
    ("app:A99", "A99"),
])
def test_a_malformed_query_is_an_error_on_q_with_the_parsers_message(query, pointer):
    error = error_of(q=query)
    assert error.parameter == "q" and error.code == "invalid_query"
    assert str(error).startswith("q: ") and pointer in str(error)


def test_the_query_language_help_holds_the_grammar_but_not_the_implementation_notes():
    text = query_language_help()
    assert "or_expr" in text and "since:last-crawl" in text and "recursive descent" not in text


# -- the same answers from the CLI and the API ----------------------------------------------------------

PARITY_CASES = [
    # (API query string, CLI arguments)
    ("q=%22unclosed", ['"unclosed']),
    ("q=oct&country=XX", ["oct", "--country", "XX"]),
    ("q=oct&trl_min=7&trl_max=3", ["oct", "--trl-min", "7", "--trl-max", "3"]),
    ("q=" + "x" * 501, ["x" * 501]),
    ("q=oct&mode=fast", ["oct", "--mode", "fast"]),
    ("q=oct&since=someday", ["oct", "--since", "someday"]),
    ("q=oct&role=buyer", ["oct", "--role", "buyer"]),
    ("q=oct&page=51", ["oct", "--page", "51"]),
]


@pytest.fixture
def parity_env(tmp_path):
    from scout.settings import load_settings
    from search_app import create_app
    from store import Store

    from tests.search_app.accounts import add_user, log_in

    settings = load_settings(tmp_path / "data", environ={})
    with Store.open(settings.database_path):
        pass  # an empty store: validation comes before the index is opened
    app = create_app(settings)
    app.testing = True
    return settings, log_in(app.test_client(), settings, add_user(settings))


@pytest.mark.parametrize("query_string, arguments", PARITY_CASES)
def test_the_cli_and_the_api_give_the_same_message_for_the_same_bad_input(parity_env, query_string, arguments):
    from scout.cli import main

    settings, client = parity_env
    api = client.get(f"/api/v1/search?{query_string}")
    assert api.status_code == 400
    message = api.get_json()["error"]["message"]
    result = CliRunner().invoke(main, ["search", *arguments, "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"scout: error: {message}"


def test_the_cli_search_help_shows_the_query_language_and_its_examples():
    from retrieval.query import EXAMPLES
    from scout.cli import main

    result = CliRunner().invoke(main, ["search", "--help"])
    assert result.exit_code == 0
    for flag in ("--area", "--trl-max", "--market", "--type", "--role", "--lang", "--since", "--page", "--mode"):
        assert flag in result.output
    assert "or_expr" in result.output and "bm25" in result.output
    for query, _ in EXAMPLES:
        assert query in result.output


def test_importing_the_request_module_pulls_in_no_heavy_library():
    code = ("import sys; import retrieval.requests; "
            "heavy = [m for m in ('flask', 'whoosh', 'torch', 'sentence_transformers', 'tantivy') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, env={"PYTHONPATH": str(REPO_ROOT)})
