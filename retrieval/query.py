"""Scout's query language, parsed here and never handed to an engine as text.

Grammar (operators only in CAPITALS, so "and", "or", "not" typed in lower case are ordinary words, which the
engines drop as stopwords; bare terms are ANDed; precedence NOT > AND > OR):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | atom
    atom     := WORD | "PHRASE" | "(" or_expr ")" | FILTER
    FILTER   := app:A20 | app:A20,A21 | area:therapy | trl:7 | trl:>=7 | trl:>7 | trl:<=6 | trl:<6 | trl:4-6
              | country:KR | market:japan | type:company | role:system-supplier | lang:ja | org:<id>
              | since:2026-01-01 | since:last-crawl | published:2026-01-01

Filter names are case-insensitive, and so are their values. A word whose prefix before ":" is no filter is an
ordinary word ("Nd:YAG", "10:1"), unless the prefix is a field name people might try ("url:", "title:"), which
is an error. Characters such as * ? ~ ^ are no operators: they stay inside words and the engines' analysers
drop them, so wildcards, fuzzy terms and ranges cannot be reached. A "-" starts an exclusion only at the start
of a word; a word with no letter or digit in it ("-", "*") is punctuation and is dropped.

The parser is hand-written, a recursive descent over a small tokenizer: no grammar library is needed for a
language this size, and pyparsing or lark would add a dependency for about 150 lines.

The parser produces the nodes below. Engines translate nodes into their own query objects; nothing the user
types reaches an engine's parser, so engine field names, wildcards, ranges and fuzzy terms are unreachable.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Union

from scout.registry import COUNTRY_CODES, LANGUAGE_CODES, MARKETS, TYPES
from taxonomy.model import AREAS

# Filter fields as engines index them (see retrieval.engine.IndexedPage); values are normalised by the parser:
# application "A20", area "therapy", country "KR", market "japan", organisation_type "company",
# role "system-supplier", language "ja", organisation_id "<registry id or host>".
MATCH_FIELDS = ("application", "area", "country", "market", "organisation_type", "role", "language",
                "organisation_id")
DATE_FIELDS = ("last_changed_at", "published")


@dataclass(frozen=True)
class Word:
    """One term as typed (lower-cased); each engine analyses it like the indexed text (stemming)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Words that must appear in this order, next to each other."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class All:
    """Every part must match (AND)."""

    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Any:
    """At least one part must match (OR)."""

    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    """Excludes pages the part matches. Alone at the top it means every page except those."""

    part: "Node"


@dataclass(frozen=True)
class Match:
    """Field equals one of the values (values are ORed)."""

    field: str  # one of MATCH_FIELDS
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """TRL from low to high, inclusive."""

    field: str  # "trl"
    low: int
    high: int


@dataclass(frozen=True)
class Since:
    """A date field on or after a day (UTC)."""

    field: str  # one of DATE_FIELDS
    day: date


@dataclass(frozen=True)
class PageIds:
    """Pages by id: never parsed from user text, used by the service to join semantic hits to a query."""

    ids: frozenset[int]


Node = Union[Word, Phrase, All, Any, Not, Match, Range, Since, PageIds]

# Limits that keep a query cheap to parse and to run, the same for the CLI, the UI and the API.
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 64  # words (phrase words each count) and filters
MAX_DEPTH = 16  # parentheses and NOT / - nested inside each other

OPERATORS = ("AND", "OR", "NOT")
# Filter name -> the field it matches; trl, since and published build Range / Since instead.
FILTERS = {"app": "application", "area": "area", "trl": "trl", "country": "country", "market": "market",
           "type": "organisation_type", "role": "role", "lang": "language", "org": "organisation_id",
           "since": "last_changed_at", "published": "published"}
# Prefixes people try from other search engines or from our field names: an error saying which filters exist,
# rather than a silent search for the word "url".
_FIELD_LIKE = {"url": None, "title": None, "text": None, "page_id": None, "id": None, "site": None,
               "inurl": None, "intitle": None, "body": None, "content": None, "field": None,
               "organisation": "org", "organization": "org", "organisation_id": "org", "application": "app",
               "applications": "app", "language": "lang", "organisation_type": "type",
               "date": "since", "changed": "since"}
# Shown when a filter has no value.
_EXAMPLE_VALUES = {"app": "app:A20", "area": "area:therapy", "trl": "trl:>=7", "country": "country:KR",
                   "market": "market:japan", "type": "type:company", "role": "role:system-supplier",
                   "lang": "lang:ja", "org": "org:<id>", "since": "since:2026-01-01",
                   "published": "published:2026-01-01"}
_FILTER_LIST = ", ".join(f"{name}:" for name in FILTERS)
_ORG_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
# ASCII digits only: int() and fromisoformat() would read other scripts' digits differently or not at all.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_APPLICATION = re.compile(r"a(\d{1,2})", re.ASCII)
_TRL = re.compile(r"(?P<op>>=|<=|>|<)?(?P<low>\d+)(?:-(?P<high>\d+))?", re.ASCII)


class QueryError(ValueError):
    """A query Scout cannot run, with a message that says what is wrong and where.

    `position` is the 0-based character offset of the problem in the query (None when it is the whole query);
    messages count characters from 1, as people do.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _at(position: int) -> str:
    return f"character {position + 1}"


def _did_you_mean(value: str, choices: Iterable[str], *, cutoff: float = 0.6, template: str = '"{}"') -> str:
    matches = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=cutoff)
    return f" — did you mean {template.format(matches[0])}?" if matches else ""


# --- tokens -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "filter", "AND", "OR", "NOT", "-", "(", ")"
    position: int
    text: str = ""  # a word as typed, a phrase's inside, a filter's value
    name: str = ""  # a filter's name, lower-cased
    value_position: int = 0


_STARTS_UNARY = ("word", "phrase", "filter", "NOT", "-", "(")


def _has_alnum(chunk: str) -> bool:
    return any(character.isalnum() for character in chunk)


def _word_end(text: str, start: int) -> int:
    """End of the word at start: whitespace, a quote or an unmatched ")" ends it; "510(k)" stays one word."""
    depth = 0
    end = start
    while end < len(text):
        character = text[end]
        if character.isspace() or character == '"':
            break
        if character == "(":
            depth += 1
        elif character == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return end


def _closing_quote(text: str, opening: int) -> int:
    closing = text.find('"', opening + 1)
    if closing < 0:
        raise QueryError(f'unclosed quote: the phrase starting at {_at(opening)} has no closing "', opening)
    return closing


def _filter_name(prefix: str, position: int) -> str | None:
    """The filter a word's prefix names, None when the word is an ordinary one; unknown filters raise."""
    name = prefix.lower()
    if name in FILTERS:
        return name
    if name in _FIELD_LIKE:
        hint = _FIELD_LIKE[name]
        suggestion = f' — did you mean "{hint}:"?' if hint else ""
    elif len(name) >= 4 and name.isalpha() and (suggestion := _did_you_mean(name, FILTERS, cutoff=0.8,
                                                                            template='"{}:"')):
        pass  # a misspelt filter ("contry:KR") is more likely than a word that happens to look like one
    else:
        return None
    raise QueryError(f'unknown filter "{prefix}:" at {_at(position)}{suggestion} — filters are {_FILTER_LIST}',
                     position)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        character = text[index]
        if character.isspace():
            index += 1
        elif character in "()":
            tokens.append(_Token(character, index))
            index += 1
        elif character == '"':
            closing = _closing_quote(text, index)
            tokens.append(_Token("phrase", index, text[index + 1:closing]))
            index = closing + 1
        elif character == "-":
            # A run of "-" excludes what follows it; alone or before punctuation it is punctuation.
            after = index
            while after < len(text) and text[after] == "-":
                after += 1
            if after < len(text) and text[after] in '("':
                tokens.append(_Token("-", index))
                index = after
            elif _has_alnum(text[after:_word_end(text, after)]):
                tokens.append(_Token("-", index))
                index = _read_word(text, after, tokens, operators=False)
            else:
                index = _word_end(text, after)
        else:
            index = _read_word(text, index, tokens, operators=True)
    return tokens


def _read_word(text: str, start: int, tokens: list[_Token], *, operators: bool) -> int:
    """Appends the word, operator or filter at start (nothing for punctuation); returns where it ends."""
    end = _word_end(text, start)
    chunk = text[start:end]
    if operators and chunk in OPERATORS:
        tokens.append(_Token(chunk, start))
        return end
    prefix, colon, value = chunk.partition(":")
    name = _filter_name(prefix, start) if colon and prefix else None
    if name is None:
        if _has_alnum(chunk):
            tokens.append(_Token("word", start, chunk))
        return end
    value_position = start + len(prefix) + 1
    if not value and end < len(text) and text[end] == '"':  # market:"south korea"
        closing = _closing_quote(text, end)
        value, value_position, end = text[end + 1:closing], end + 1, closing + 1
    if not value.strip():
        raise QueryError(f'the filter "{prefix}:" at {_at(start)} has no value (e.g. {_EXAMPLE_VALUES[name]})',
                         start)
    tokens.append(_Token("filter", start, value.strip(), name, value_position))
    return end


# --- filter values ------------------------------------------------------------------------------------------

@cache
def role_ids() -> frozenset[str]:
    """The value-chain role ids a role: filter accepts (taxonomy/roles.yaml)."""
    # Loaded on first use: reading roles.yaml costs more than the rest of a parse.
    from taxonomy.loader import load_roles

    return frozenset(load_roles().roles)


def _application(value: str) -> str | None:
    match = _APPLICATION.fullmatch(value.lower())
    return f"A{int(match.group(1)):02d}" if match and 1 <= int(match.group(1)) <= 35 else None


def _area(value: str) -> str | None:
    area = re.sub(r"[-\s]+", "_", value.lower())
    return area if area in AREAS else None


def _slug(value: str) -> str:
    return re.sub(r"[_\s]+", "-", value.lower())


def _country(value: str) -> str | None:
    return value.upper() if value.upper() in COUNTRY_CODES else None


def _language(value: str) -> str | None:
    return value.lower() if value.lower() in LANGUAGE_CODES else None


def _organisation(value: str) -> str | None:
    return value.lower() if _ORG_ID.fullmatch(value.lower()) else None


def _country_hint(value: str) -> str:
    if value.upper() == "UK":
        return ' — the United Kingdom is "GB"'
    if _slug(value) in MARKETS:
        return f" — for a target market write market:{_slug(value)}"
    return ""


# Filter name -> (normalise a value or None when invalid, what the error says, a hint for a bad value).
_VALUE_RULES: dict[str, tuple[Callable[[str], str | None], str, Callable[[str], str]]] = {
    "app": (_application, "unknown application {!r} (A01-A35)", lambda value: ""),
    "area": (_area, "unknown area {!r} (" + ", ".join(AREAS) + ")",
             lambda value: _did_you_mean(re.sub(r"[-\s]+", "_", value.lower()), AREAS)),
    "country": (_country, "unknown country {!r} (ISO 3166-1 alpha-2, e.g. KR)", _country_hint),
    "market": (lambda value: _slug(value) if _slug(value) in MARKETS else None,
               "unknown market {!r} (" + ", ".join(sorted(MARKETS)) + ")",
               lambda value: _did_you_mean(_slug(value), MARKETS)),
    "type": (lambda value: _slug(value) if _slug(value) in TYPES else None,
             "unknown organisation type {!r} (" + ", ".join(sorted(TYPES)) + ")",
             lambda value: _did_you_mean(_slug(value), TYPES)),
    "role": (lambda value: _slug(value) if _slug(value) in role_ids() else None,
             "unknown role {!r}", lambda value: _did_you_mean(_slug(value), role_ids())
             + " — roles are " + ", ".join(sorted(role_ids()))),
    "lang": (_language, "unknown language {!r} (ISO 639-1, two letters, e.g. ja)", lambda value: ""),
    "org": (_organisation, "{!r} is not an organisation id (letters, digits, \".\", \"_\", \"-\"; up to 100)",
            lambda value: ""),
}


def _quoted(template: str, value: str) -> str:
    return template.replace("{!r}", f'"{value}"')


def _match(token: _Token) -> Match:
    normalise, problem, hint = _VALUE_RULES[token.name]
    values: list[str] = []
    offset = 0
    for item in token.text.split(","):
        position = token.value_position + offset
        offset += len(item) + 1
        if not item.strip():
            raise QueryError(f'{token.name}: an empty value in "{token.text}" at {_at(position)}', position)
        value = normalise(item.strip())
        if value is None:
            raise QueryError(f"{token.name}: {_quoted(problem, item.strip())} at {_at(position)}"
                             f"{hint(item.strip())}", position)
        if value not in values:
            values.append(value)
    return Match(FILTERS[token.name], tuple(values))


def _trl(token: _Token) -> Range:
    def invalid() -> QueryError:
        return QueryError(f"trl: expects 1-9, >=N, <=N or N-M (e.g. trl:>=7, trl:4-6), not \"{token.text}\" "
                          f"at {_at(token.value_position)}", token.value_position)

    match = _TRL.fullmatch(token.text)
    if not match or (match.group("op") and match.group("high")):
        raise invalid()
    low = high = int(match.group("low"))
    if match.group("high"):
        high = int(match.group("high"))
    if not (1 <= low <= 9 and 1 <= high <= 9):
        raise invalid()
    operator = match.group("op") or ""
    low, high = {">=": (low, 9), ">": (low + 1, 9), "<=": (1, high), "<": (1, high - 1)}.get(operator, (low, high))
    if low > high and not operator:
        raise QueryError(f"trl:{token.text} at {_at(token.position)} is an empty range: write the lower level "
                         f"first (trl:{high}-{low})", token.position)
    if low > high:
        raise QueryError(f"trl:{token.text} at {_at(token.position)} matches no level (TRL runs from 1 to 9)",
                         token.position)
    return Range("trl", low, high)


def _since(token: _Token, last_crawl: date | None) -> Since:
    if token.name == "since" and _slug(token.text) == "last-crawl":
        if last_crawl is None:
            raise QueryError("since:last-crawl: no crawl has finished yet", token.position)
        return Since(FILTERS["since"], last_crawl)
    accepted = "YYYY-MM-DD or last-crawl" if token.name == "since" else "YYYY-MM-DD"
    try:
        if not _DAY.fullmatch(token.text):
            raise ValueError(token.text)
        day = date.fromisoformat(token.text)
    except ValueError:
        raise QueryError(f'{token.name}: expects a date, {accepted} (e.g. {_EXAMPLE_VALUES[token.name]}), not '
                         f'"{token.text}" at {_at(token.value_position)}', token.value_position) from None
    return Since(FILTERS[token.name], day)


def _filter(token: _Token, last_crawl: date | None) -> Node:
    if token.name == "trl":
        return _trl(token)
    if token.name in ("since", "published"):
        return _since(token, last_crawl)
    return _match(token)


# --- parser -------------------------------------------------------------------------------------------------

def all_of(parts: Iterable[Node | None]) -> Node | None:
    """The parts ANDed as one node (flattened, repeats dropped, None parts skipped); None when none is left."""
    present = [part for part in parts if part is not None]
    return _flat(All, present) if present else None


def _flat(kind: type[All | Any], parts: list[Node]) -> Node:
    """One node of the parts: nested nodes of the same kind flattened, repeats dropped, a lone part itself."""
    flat: list[Node] = []
    for part in parts:
        for inner in part.parts if isinstance(part, kind) else (part,):
            if inner not in flat:
                flat.append(inner)
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _negate(part: Node) -> Node:
    return part.part if isinstance(part, Not) else Not(part)


class _Parser:
    def __init__(self, tokens: list[_Token], last_crawl: date | None) -> None:
        self.tokens = tokens
        self.last_crawl = last_crawl
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr(0)
        extra = self.peek()
        if extra is not None:  # only a ")" can stop or_expr early
            raise QueryError(f'unmatched ")" at {_at(extra.position)}: no "(" opens it', extra.position)
        return node

    def expect_operand(self, operator: _Token) -> None:
        following = self.peek()
        if following is None or following.kind not in _STARTS_UNARY:
            raise QueryError(f'"{operator.kind}" at {_at(operator.position)} needs a term after it',
                             operator.position)

    def or_expr(self, depth: int) -> Node:
        first = self.peek()
        if first is not None and first.kind in ("AND", "OR"):
            raise QueryError(f'"{first.kind}" at {_at(first.position)} needs a term before it', first.position)
        parts = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self.expect_operand(token)
            parts.append(self.and_expr(depth))
        return _flat(Any, parts)

    def and_expr(self, depth: int) -> Node:
        parts = [self.unary(depth)]
        while (token := self.peek()) is not None and token.kind in ("AND", *_STARTS_UNARY):
            if token.kind == "AND":
                self.take()
                self.expect_operand(token)
            parts.append(self.unary(depth))
        return _flat(All, parts)

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("NOT", "-"):
            self.take()
            self.check_depth(token, depth + 1)
            self.expect_operand(token)
            return _negate(self.unary(depth + 1))
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        token = self.take()
        if token.kind == "word":
            return Word(token.text.lower())
        if token.kind == "phrase":
            words = tuple(word.lower() for word in token.text.split() if _has_alnum(word))
            if not words:
                raise QueryError(f'empty phrase: the quotes at {_at(token.position)} hold no words', token.position)
            return Phrase(words)
        if token.kind == "filter":
            return _filter(token, self.last_crawl)
        if token.kind == ")":  # a query can only start with one when nothing opened it
            raise QueryError(f'unmatched ")" at {_at(token.position)}: no "(" opens it', token.position)
        self.check_depth(token, depth + 1)
        following = self.peek()
        if following is not None and following.kind == ")":
            raise QueryError(f"empty parentheses at {_at(token.position)}", token.position)
        if following is None:
            raise QueryError(f'unclosed parenthesis: the "(" at {_at(token.position)} has no ")"', token.position)
        node = self.or_expr(depth + 1)
        closing = self.peek()
        if closing is None:
            raise QueryError(f'unclosed parenthesis: the "(" at {_at(token.position)} has no ")"', token.position)
        self.take()
        return node

    @staticmethod
    def check_depth(token: _Token, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise QueryError(f"the query nests parentheses and NOT more than {MAX_DEPTH} deep at "
                             f"{_at(token.position)}", token.position)


def _check_clauses(tokens: list[_Token]) -> None:
    clauses = 0
    for token in tokens:
        if token.kind == "phrase":
            clauses += sum(1 for word in token.text.split() if _has_alnum(word))
        elif token.kind in ("word", "filter"):
            clauses += 1
        if clauses > MAX_CLAUSES:
            raise QueryError(f"too many terms: at most {MAX_CLAUSES} words and filters, and the one at "
                             f"{_at(token.position)} is one more", token.position)


def parse(text: str, *, last_crawl: date | None = None) -> Node | None:
    """The query's nodes, None for a blank query; raises QueryError saying what is wrong and where.

    last_crawl is the day the last crawl finished, for since:last-crawl.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed",
                         MAX_QUERY_CHARS)
    tokens = _tokenize(text)
    if not tokens:
        return None
    _check_clauses(tokens)
    return _Parser(tokens, last_crawl).parse()


# --- reading a parsed query ---------------------------------------------------------------------------------

def _is_filter(node: Node) -> bool:
    return isinstance(node, (Match, Range, Since, PageIds))


def _without_positive_words(node: Node) -> bool:
    """True when nothing in node asks for words to be present: filters, exclusions, and groups of those."""
    if isinstance(node, (All, Any)):
        return all(_without_positive_words(part) for part in node.parts)
    return _is_filter(node) or isinstance(node, Not)


def positive_words(node: Node | None) -> list[str]:
    """The words and phrase words not under a Not, in order, each once (for highlighting snippets)."""
    words: list[str] = []

    def visit(part: Node) -> None:
        if isinstance(part, Word):
            found: tuple[str, ...] = (part.text,)
        elif isinstance(part, Phrase):
            found = part.words
        elif isinstance(part, (All, Any)):
            for inner in part.parts:
                visit(inner)
            return
        else:
            return  # Not, filters
        words.extend(word for word in found if word not in words)

    if node is not None:
        visit(node)
    return words


def semantic_text(node: Node | None) -> str:
    """The positive words and phrases as text for the query embedding; "" when the query has none."""
    return " ".join(positive_words(node))


def constraint(node: Node | None) -> Node | None:
    """What a semantic hit must also satisfy: the conjuncts that ask for no words (filters, exclusions).

    A semantic hit need not contain the query's words, but it must pass its filters and avoid its exclusions.
    None when there is nothing to enforce (a word query, or an OR mixing words and filters).
    """
    if node is None:
        return None
    if isinstance(node, All):
        kept = [part for part in node.parts if _without_positive_words(part)]
        return _flat(All, kept) if kept else None
    return node if _without_positive_words(node) else None


_LABELS = {"application": "application", "area": "area", "country": "country", "market": "market",
           "organisation_type": "type", "role": "role", "language": "language", "organisation_id": "organisation"}


def _reading(node: Node) -> str:
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, All):
        return " AND ".join(f"({_reading(part)})" if isinstance(part, Any) else _reading(part)
                            for part in node.parts)
    if isinstance(node, Any):
        return " OR ".join(f"({_reading(part)})" if isinstance(part, All) else _reading(part)
                           for part in node.parts)
    if isinstance(node, Not):
        inner = _reading(node.part)
        return f"NOT ({inner})" if isinstance(node.part, (All, Any)) else f"NOT {inner}"
    if isinstance(node, Match):
        return f"{_LABELS.get(node.field, node.field)} {' or '.join(node.values)}"
    if isinstance(node, Range):
        return f"TRL {node.low}" if node.low == node.high else f"TRL {node.low}-{node.high}"
    if isinstance(node, Since):
        return f"{'published' if node.field == 'published' else 'changed'} since {node.day.isoformat()}"
    return f"{len(node.ids)} listed pages"


def describe(node: Node | None) -> str:
    """A short human reading of a parsed query: 'oct AND NOT retina · TRL 7-9 · country KR'."""
    if node is None:
        return ""
    parts = node.parts if isinstance(node, All) else (node,)
    terms = [part for part in parts if not _is_filter(part)
             and not (isinstance(part, Not) and _is_filter(part.part))]
    filters = [part for part in parts if part not in terms]
    segments = [" AND ".join(f"({_reading(part)})" if isinstance(part, Any) and len(terms) > 1
                             else _reading(part) for part in terms)] if terms else []
    return " · ".join(segments + [_reading(part) for part in filters])


# (query, what it finds): shown by `scout search --help` and the UI's help page, and all parsed by the tests.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("oct retina", "pages with both words (bare words are ANDed)"),
    ('"swept source" OR "swept-source"', "pages with either phrase, words next to each other in order"),
    ("oct -retina", 'pages about OCT that never say "retina" (NOT retina is the same)'),
    ('(pdt OR "photodynamic therapy") country:AU', "photodynamic therapy pages of Australian organisations"),
    ("app:A20 trl:>=7", "pages tagged with application A20 at TRL 7 or above"),
    ("app:A20,A21 trl:4-6", "application A20 or A21, at TRL 4 to 6"),
    ("area:therapy market:japan", "therapy applications of organisations in the Japanese market"),
    ("role:system-supplier type:company", "companies that sell complete systems"),
    ("lang:ja 光干渉断層計", "Japanese pages about optical coherence tomography"),
    ("since:last-crawl app:A04", "pages new or changed in the last crawl, tagged A04"),
    ("since:2026-01-01 org:fraunhofer-ilt", "one organisation's pages changed since 1 January 2026"),
    ('"Nd:YAG" "1064 nm"', "model names and units searched as they are written"),
    ("-retina", "every page except those mentioning retina"),
)
