"""Scout's query language, parsed here and never handed to an engine as text.

Grammar (case-insensitive operators; bare terms are ANDed):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | atom
    atom     := WORD | "PHRASE" | "(" or_expr ")" | FILTER
    FILTER   := app:A20 | area:therapy | trl:7 | trl:>=7 | trl:<=6 | trl:4-6 | country:KR | market:japan
              | type:company | role:system-supplier | lang:ja | org:<id> | since:2026-01-01 | since:last-crawl

The parser produces the nodes below. Engines translate nodes into their own query objects; nothing the user
types reaches an engine's parser, so engine field names, wildcards, ranges and fuzzy terms are unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Union

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
