"""Scout's query language: what each query means, and that every malformed one is refused with a clear reason."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import query
from retrieval.query import (
    DATE_FIELDS,
    EXAMPLES,
    MATCH_FIELDS,
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    All,
    Any,
    Match,
    Not,
    Phrase,
    QueryError,
    Range,
    Since,
    Word,
    constraint,
    describe,
    parse,
    positive_words,
    semantic_text,
)

LAST_CRAWL = date(2026, 3, 1)


def words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(text) for text in texts)


# --- meaning ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\t\n", "*", "- -- ?", "-*"])
def test_a_blank_or_punctuation_only_query_is_none(text):
    assert parse(text) is None


@pytest.mark.parametrize(("text", "node"), [
    ("OCT", Word("oct")),
    ("oct retina", All(words("oct", "retina"))),
    ("oct AND retina", All(words("oct", "retina"))),
    ("oct OR pdt", Any(words("oct", "pdt"))),
    # Lower-case operators are ordinary words (the engines drop them as stopwords).
    ("oct or pdt and not retina", All(words("oct", "or", "pdt", "and", "not", "retina"))),
    ("Oct Nd:YAG 10:1 1064 nm", All(words("oct", "nd:yag", "10:1", "1064", "nm"))),
    ('"Swept Source"', Phrase(("swept", "source"))),
    ('"Nd:YAG" "1064 nm"', All((Phrase(("nd:yag",)), Phrase(("1064", "nm"))))),
    ("swept-source", Word("swept-source")),
    ("510(k) clearance", All(words("510(k)", "clearance"))),
    ("光干渉断層計", Word("光干渉断層計")),
])
def test_words_phrases_and_operators(text, node):
    assert parse(text) == node


@pytest.mark.parametrize("text", ["laser*", "lase?", "laser~2", "laser^3", "*laser", "+laser"])
def test_wildcard_fuzzy_and_boost_characters_stay_inside_words(text):
    assert parse(text) == Word(text.lower())


@pytest.mark.parametrize(("text", "node"), [
    ("a OR b c", Any((Word("a"), All(words("b", "c"))))),
    ("a b OR c", Any((All(words("a", "b")), Word("c")))),
    ("NOT a b", All((Not(Word("a")), Word("b")))),
    ("a OR NOT b AND c", Any((Word("a"), All((Not(Word("b")), Word("c")))))),
    ("(a OR b) c", All((Any(words("a", "b")), Word("c")))),
    ("a (b OR (c d))", All((Word("a"), Any((Word("b"), All(words("c", "d"))))))),
])
def test_precedence_is_not_then_and_then_or_and_parentheses_group(text, node):
    assert parse(text) == node


@pytest.mark.parametrize(("text", "node"), [
    ("oct -retina", All((Word("oct"), Not(Word("retina"))))),
    ("oct NOT retina", All((Word("oct"), Not(Word("retina"))))),
    ('oct -"macular degeneration"', All((Word("oct"), Not(Phrase(("macular", "degeneration")))))),
    ("oct -(retina OR eye)", All((Word("oct"), Not(Any(words("retina", "eye")))))),
    ("oct -app:A20", All((Word("oct"), Not(Match("application", ("A20",)))))),
    ("oct --retina", All((Word("oct"), Not(Word("retina"))))),
    ("oct -NOT", All((Word("oct"), Not(Word("not"))))),
    ("-retina", Not(Word("retina"))),
    ("-retina -eye", All((Not(Word("retina")), Not(Word("eye"))))),
    ("NOT NOT retina", Word("retina")),
])
def test_exclusions(text, node):
    assert parse(text) == node


@pytest.mark.parametrize(("text", "node"), [
    ("((oct))", Word("oct")),
    ("a (b c) d", All(words("a", "b", "c", "d"))),
    ("a OR (b OR c)", Any(words("a", "b", "c"))),
    ("oct oct OCT", Word("oct")),
])
def test_trivial_structure_is_simplified(text, node):
    assert parse(text) == node


# --- filters ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "node"), [
    ("app:A20", Match("application", ("A20",))),
    ("APP:a20", Match("application", ("A20",))),
    ("app:A5", Match("application", ("A05",))),
    ("app:A20,a21,A20", Match("application", ("A20", "A21"))),
    ("area:therapy", Match("area", ("therapy",))),
    ("area:diagnostics-imaging", Match("area", ("diagnostics_imaging",))),
    ("Area:Diagnostics_Imaging,sensing", Match("area", ("diagnostics_imaging", "sensing"))),
    ("country:KR", Match("country", ("KR",))),
    ("country:kr,jp", Match("country", ("KR", "JP"))),
    ("market:japan", Match("market", ("japan",))),
    ("market:South_Korea", Match("market", ("south-korea",))),
    ('market:"south korea"', Match("market", ("south-korea",))),
    ("type:company", Match("organisation_type", ("company",))),
    ("type:research_institute", Match("organisation_type", ("research-institute",))),
    ("role:system-supplier", Match("role", ("system-supplier",))),
    ("role:End_User", Match("role", ("end-user",))),
    ("lang:JA", Match("language", ("ja",))),
    ("org:Fraunhofer-ILT", Match("organisation_id", ("fraunhofer-ilt",))),
    ("org:www.example.com", Match("organisation_id", ("www.example.com",))),
    ("since:2026-01-01", Since("last_changed_at", date(2026, 1, 1))),
    ("since:last-crawl", Since("last_changed_at", LAST_CRAWL)),
    ("SINCE:Last_Crawl", Since("last_changed_at", LAST_CRAWL)),
    ("published:2025-12-31", Since("published", date(2025, 12, 31))),
    ("(app:A20)", Match("application", ("A20",))),
])
def test_filters(text, node):
    assert parse(text, last_crawl=LAST_CRAWL) == node


@pytest.mark.parametrize(("text", "low", "high"), [
    ("trl:7", 7, 7), ("trl:>=7", 7, 9), ("trl:>7", 8, 9), ("trl:<=6", 1, 6), ("trl:<6", 1, 5),
    ("trl:4-6", 4, 6), ("TRL:1-9", 1, 9), ("trl:>=1", 1, 9), ("trl:<=9", 1, 9), ("trl:9", 9, 9),
])
def test_trl_forms_become_an_inclusive_range(text, low, high):
    assert parse(text) == Range("trl", low, high)


def test_filters_combine_with_words():
    assert parse("oct app:A20 trl:>=7 country:KR") == All((
        Word("oct"), Match("application", ("A20",)), Range("trl", 7, 9), Match("country", ("KR",))))


def test_a_colon_word_whose_prefix_is_no_filter_is_a_word():
    assert parse("Er:YAG ratio 10:1 note:x http://example.com") == All(
        words("er:yag", "ratio", "10:1", "note:x", "http://example.com"))


# --- errors -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "position", "message"), [
    ('oct "swept', 4, 'unclosed quote: the phrase starting at character 5 has no closing "'),
    ('oct ""', 4, "empty phrase: the quotes at character 5 hold no words"),
    ('" * "', 0, "empty phrase: the quotes at character 1 hold no words"),
    ("(oct OR pdt", 0, 'unclosed parenthesis: the "(" at character 1 has no ")"'),
    ("oct (", 4, 'unclosed parenthesis: the "(" at character 5 has no ")"'),
    ("oct OR pdt)", 10, 'unmatched ")" at character 11: no "(" opens it'),
    (")", 0, 'unmatched ")" at character 1: no "(" opens it'),
    ("oct ( )", 4, "empty parentheses at character 5"),
    ("oct AND", 4, '"AND" at character 5 needs a term after it'),
    ("oct OR", 4, '"OR" at character 5 needs a term after it'),
    ("oct NOT", 4, '"NOT" at character 5 needs a term after it'),
    ("oct AND OR pdt", 4, '"AND" at character 5 needs a term after it'),
    ("(oct AND) pdt", 5, '"AND" at character 6 needs a term after it'),
    ("AND oct", 0, '"AND" at character 1 needs a term before it'),
    ("OR oct", 0, '"OR" at character 1 needs a term before it'),
    ("oct (OR pdt)", 5, '"OR" at character 6 needs a term before it'),
    ("oct app:", 4, 'the filter "app:" at character 5 has no value (e.g. app:A20)'),
    ("trl: 7", 0, 'the filter "trl:" at character 1 has no value (e.g. trl:>=7)'),
    ("since:last-crawl", 0, "since:last-crawl: no crawl has finished yet"),
])
def test_syntax_errors_name_the_problem_and_where(text, position, message):
    with pytest.raises(QueryError) as error:
        parse(text)
    assert str(error.value) == message
    assert error.value.position == position


@pytest.mark.parametrize(("text", "position", "start", "hint"), [
    ("url:http*", 0, 'unknown filter "url:" at character 1 — filters are app:, area:, trl:', ""),
    ("oct title:(", 4, 'unknown filter "title:" at character 5', ""),
    ("page_id:1", 0, 'unknown filter "page_id:"', ""),
    ("Site:example.com", 0, 'unknown filter "Site:"', ""),
    ("language:ja", 0, 'unknown filter "language:"', 'did you mean "lang:"?'),
    ("organisation:abc", 0, 'unknown filter "organisation:"', 'did you mean "org:"?'),
    ("contry:KR", 0, 'unknown filter "contry:"', 'did you mean "country:"?'),
    ("oct markt:japan", 4, 'unknown filter "markt:"', 'did you mean "market:"?'),
])
def test_unknown_filters_are_errors_listing_the_filters(text, position, start, hint):
    with pytest.raises(QueryError) as error:
        parse(text)
    assert str(error.value).startswith(start)
    assert hint in str(error.value)
    assert "since:" in str(error.value) and "published:" in str(error.value)
    assert error.value.position == position


@pytest.mark.parametrize(("text", "position", "start", "hint"), [
    ("trl:12", 4, 'trl: expects 1-9, >=N, <=N or N-M (e.g. trl:>=7, trl:4-6), not "12" at character 5', ""),
    ("trl:0", 4, 'trl: expects 1-9, >=N, <=N or N-M', ""),
    ("trl:high", 4, 'trl: expects 1-9, >=N, <=N or N-M (e.g. trl:>=7, trl:4-6), not "high"', ""),
    ("trl:>=7-9", 4, 'trl: expects', ""),
    ("trl:4,5", 4, 'trl: expects', ""),
    ("trl:>9", 0, "trl:>9 at character 1 matches no level (TRL runs from 1 to 9)", ""),
    ("trl:<1", 0, "trl:<1 at character 1 matches no level", ""),
    ("trl:6-4", 0, "trl:6-4 at character 1 is an empty range: write the lower level first (trl:4-6)", ""),
    ("app:A99", 4, 'app: unknown application "A99" (A01-A35) at character 5', ""),
    ("app:A20,X1", 8, 'app: unknown application "X1" (A01-A35) at character 9', ""),
    ("app:A20,", 8, 'app: an empty value in "A20," at character 9', ""),
    ("country:XX", 8, 'country: unknown country "XX" (ISO 3166-1 alpha-2, e.g. KR) at character 9', ""),
    ("country:UK", 8, 'country: unknown country "UK"', 'the United Kingdom is "GB"'),
    ("country:japan", 8, 'country: unknown country "japan"', "for a target market write market:japan"),
    ("market:japn", 7, 'market: unknown market "japn"', 'did you mean "japan"?'),
    ("market:korea", 7, 'market: unknown market "korea"', 'did you mean "south-korea"?'),
    ("area:therapie", 5, 'area: unknown area "therapie"', 'did you mean "therapy"?'),
    ("type:compny", 5, 'type: unknown organisation type "compny"', 'did you mean "company"?'),
    ("role:system-suplier", 5, 'role: unknown role "system-suplier"', 'did you mean "system-supplier"?'),
    ("lang:japanese", 5, 'lang: unknown language "japanese" (ISO 639-1, two letters, e.g. ja)', ""),
    ("org:a/b", 4, 'org: "a/b" is not an organisation id', ""),
    ("org:-abc", 4, 'org: "-abc" is not an organisation id', ""),
    ("since:2026-02-30", 6, ('since: expects a date, YYYY-MM-DD or last-crawl (e.g. since:2026-01-01), '
                             'not "2026-02-30" at character 7'), ""),
    ("since:yesterday", 6, "since: expects a date", ""),
    ("published:last-crawl", 10, "published: expects a date, YYYY-MM-DD (e.g. published:2026-01-01)", ""),
])
def test_invalid_filter_values_are_errors_pointing_at_the_value(text, position, start, hint):
    with pytest.raises(QueryError) as error:
        parse(text, last_crawl=LAST_CRAWL)
    assert str(error.value).startswith(start)
    assert hint in str(error.value)
    assert error.value.position == position


def test_the_position_is_that_of_the_problem_in_a_longer_query():
    text = "(pdt OR pdd) country:AU trl:4-6 app:A20,A77"
    with pytest.raises(QueryError) as error:
        parse(text)
    assert text[error.value.position:].startswith("A77")


# --- limits -------------------------------------------------------------------------------------------------

def test_a_query_longer_than_the_limit_is_refused():
    assert parse("a" * MAX_QUERY_CHARS) == Word("a" * MAX_QUERY_CHARS)
    with pytest.raises(QueryError, match=f"^the query is {MAX_QUERY_CHARS + 1} characters long; at most "
                                         f"{MAX_QUERY_CHARS} are allowed$"):
        parse("a" * (MAX_QUERY_CHARS + 1))


def test_more_words_and_filters_than_the_limit_are_refused():
    many = [f"w{number}" for number in range(MAX_CLAUSES)]
    assert len(parse(" ".join(many)).parts) == MAX_CLAUSES
    text = " ".join(many[:-1]) + " app:A20 extra"
    with pytest.raises(QueryError, match="^too many terms: at most 64 words and filters") as error:
        parse(text)
    assert error.value.position == text.index("extra")


def test_phrase_words_count_towards_the_clause_limit():
    with pytest.raises(QueryError, match="too many terms"):
        parse('"' + " ".join(["w"] * (MAX_CLAUSES + 1)) + '"')


def parser_stack_depth(text: str) -> int:
    """The deepest the parser's own functions nest while parsing text."""
    depth = deepest = 0
    source = Path(query.__file__).resolve()

    def profile(frame, event, arg):
        nonlocal depth, deepest
        if Path(frame.f_code.co_filename).resolve() != source:
            return
        if event == "call":
            depth += 1
            deepest = max(deepest, depth)
        elif event == "return":
            depth -= 1

    sys.setprofile(profile)
    try:
        parse(text)
    except QueryError:
        pass
    finally:
        sys.setprofile(None)
    return deepest


def test_nesting_up_to_the_limit_parses_and_one_more_is_refused():
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == Word("a")
    assert parse("NOT " * MAX_DEPTH + "a") == Word("a")  # an even number of NOTs cancels out
    text = "x " + "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(QueryError, match=f"nests parentheses and NOT more than {MAX_DEPTH} deep") as error:
        parse(text)
    assert error.value.position == 2 + MAX_DEPTH
    with pytest.raises(QueryError, match="more than 16 deep at character 65$"):
        parse("NOT " * (MAX_DEPTH + 1) + "a")
    with pytest.raises(QueryError, match="more than 16 deep"):
        parse("-(" * 9 + "a" + ")" * 9)


def test_the_parsers_recursion_is_bounded_by_the_nesting_limit_not_by_the_query_length():
    flat = parser_stack_depth(" OR ".join(["a b"] * 30))
    nested = parser_stack_depth("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    too_deep = parser_stack_depth("(" * 200 + "a" + ")" * 200)
    assert flat < 15
    assert nested < 6 * (MAX_DEPTH + 2)
    assert too_deep <= nested + 6


# --- reading a parsed query ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "positive"), [
    ("oct retina", ["oct", "retina"]),
    ('"swept source" OR oct -retina', ["swept", "source", "oct"]),
    ("oct -(retina OR eye) app:A20", ["oct"]),
    ("NOT NOT retina", ["retina"]),
    ("oct OCT oct", ["oct"]),
    ("-retina", []),
    ("app:A20 trl:>=7", []),
])
def test_positive_words_skip_exclusions_and_filters(text, positive):
    assert positive_words(parse(text)) == positive
    assert semantic_text(parse(text)) == " ".join(positive)


def test_semantic_text_joins_words_and_phrases():
    assert semantic_text(parse('(pdt OR "photodynamic therapy") country:AU')) == "pdt photodynamic therapy"
    assert semantic_text(None) == ""
    assert positive_words(None) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("oct retina", None),
    ("oct OR app:A20", None),
    ("oct", None),
    ("oct -retina", Not(Word("retina"))),
    ("-retina", Not(Word("retina"))),
    ("app:A20", Match("application", ("A20",))),
    ("oct app:A20 trl:>=7 -retina", All((Match("application", ("A20",)), Range("trl", 7, 9),
                                          Not(Word("retina"))))),
    ("oct (app:A20 OR app:A21)", Any((Match("application", ("A20",)), Match("application", ("A21",))))),
    ("app:A20 OR country:KR", Any((Match("application", ("A20",)), Match("country", ("KR",))))),
    ("(oct OR pdt) since:2026-01-01", Since("last_changed_at", date(2026, 1, 1))),
])
def test_constraint_is_what_a_semantic_hit_must_also_satisfy(text, expected):
    assert constraint(parse(text)) == expected


def test_constraint_of_no_query_is_none():
    assert constraint(None) is None


@pytest.mark.parametrize(("text", "reading"), [
    ("oct -retina trl:>=7 country:KR", "oct AND NOT retina · TRL 7-9 · country KR"),
    ("oct retina", "oct AND retina"),
    ('"swept source" OR oct', '"swept source" OR oct'),
    ("(a OR b) c", "(a OR b) AND c"),
    ("a b OR c", "(a AND b) OR c"),
    ("oct -(retina OR eye)", "oct AND NOT (retina OR eye)"),
    ("app:A20,A21 trl:7", "application A20 or A21 · TRL 7"),
    ("oct -country:KR", "oct · NOT country KR"),
    ("since:last-crawl published:2026-01-01", "changed since 2026-03-01 · published since 2026-01-01"),
    ("type:company role:end-user lang:ja org:abc area:therapy market:usa",
     "type company · role end-user · language ja · organisation abc · area therapy · market usa"),
])
def test_describe_reads_a_query_back(text, reading):
    assert describe(parse(text, last_crawl=LAST_CRAWL)) == reading


def test_describe_of_no_query_is_empty():
    assert describe(None) == ""


def test_the_examples_all_parse_and_are_described():
    assert 10 <= len(EXAMPLES) <= 14
    assert len({text for text, _ in EXAMPLES}) == len(EXAMPLES)
    for text, finds in EXAMPLES:
        node = parse(text, last_crawl=LAST_CRAWL)
        assert node is not None, text
        assert finds and describe(node), text


# --- properties ---------------------------------------------------------------------------------------------

def check_node(node, depth: int = 0) -> int:
    """Asserts node holds only the declared node types, well-formed; returns the tree's depth."""
    if isinstance(node, Word):
        assert node.text and node.text == node.text.lower() and any(c.isalnum() for c in node.text)
        return depth
    if isinstance(node, Phrase):
        assert node.words and all(word == word.lower() and word for word in node.words)
        return depth
    if isinstance(node, (All, Any)):
        assert len(node.parts) >= 2
        assert not any(isinstance(part, type(node)) for part in node.parts)  # flattened
        return max(check_node(part, depth + 1) for part in node.parts)
    if isinstance(node, Not):
        assert not isinstance(node.part, Not)
        return check_node(node.part, depth + 1)
    if isinstance(node, Match):
        assert node.field in MATCH_FIELDS and node.values
        return depth
    if isinstance(node, Range):
        assert node.field == "trl" and 1 <= node.low <= node.high <= 9
        return depth
    if isinstance(node, Since):
        assert node.field in DATE_FIELDS and isinstance(node.day, date)
        return depth
    raise AssertionError(f"unexpected node {node!r}")  # PageIds is never parsed from text


FRAGMENTS = ["(", ")", '"', "-", " ", "  ", "AND", "OR", "NOT", "and", "oct", "Nd:YAG", "*", "~", ":", ",",
             "app:", "A20", "a5", "trl:", ">=", "<", "7", "4-6", "country:", "KR", "market:", "japan", "url:",
             "since:", "last-crawl", "2026-01-01", "org:", "role:", "type:", "lang:", "ja", "光", "\t", "10:1"]


def check_parse(text: str) -> None:
    try:
        node = parse(text, last_crawl=LAST_CRAWL)
    except QueryError as error:
        assert str(error)
        assert error.position is None or 0 <= error.position <= len(text)
        return
    if node is not None:
        # Each nesting level (a parenthesis or a NOT) adds at most an OR, an AND and a NOT to the tree.
        assert check_node(node) <= 3 * (MAX_DEPTH + 1)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_any_text_parses_or_raises_query_error(text):
    check_parse(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join))
def test_any_mix_of_syntax_parses_or_raises_query_error(text):
    check_parse(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=40), st.sampled_from(["(", "NOT ", "-(", "( NOT "]))
def test_deep_nesting_is_refused_not_recursed_into(levels, opener):
    text = opener * levels + "a" + ")" * (levels * opener.count("("))
    if len(text) > MAX_QUERY_CHARS:
        return
    check_parse(text)
