"""What a search answers with: ranked hits with snippets, facet counts and optional organisation groups."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import PageView

# Facets of a result set, as SearchResults.facets names them (JSON keys: added to, never renamed).
FACET_NAMES = ("applications", "area", "trl", "trl_band", "country", "market", "organisation_type", "role",
               "language", "organisation_id", "freshness")
# TRL bands: levels read as the stage a technology is at.
TRL_BANDS = {"research": (1, 3), "development": (4, 6), "market-ready": (7, 9)}
# Freshness facet values: changed on or after the last crawl started, and within the last days.
FRESHNESS = ("since-last-crawl", "last-7-days", "last-30-days")


@dataclass(frozen=True)
class Segment:
    """A piece of a snippet; `matched` pieces are the query's words. Plain text: templates escape it."""

    text: str
    matched: bool


@dataclass
class Hit:
    page_id: int
    url: str
    title: str
    organisation: str
    organisation_id: str
    country: str
    applications: list[str]
    trl: int | None
    language: str
    fetched_at: str
    score: float
    snippets: list[list[Segment]] = field(default_factory=list)
    published: str = ""  # YYYY-MM-DD the page states, or ""
    page: PageView | None = field(default=None, repr=False, compare=False)  # the store's record it was read from

    def as_dict(self) -> dict:
        return {
            "page_id": self.page_id, "url": self.url, "title": self.title, "organisation": self.organisation,
            "organisation_id": self.organisation_id, "country": self.country, "applications": self.applications,
            "trl": self.trl, "language": self.language, "fetched_at": self.fetched_at,
            "score": round(self.score, 4), "snippet": snippet_text(self.snippets),
        }


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # FACET_NAMES -> (value, pages), most pages first (TRL in order)
    # Grouped by organisation: each group's best hits, for one page of groups; `hits` then lists them in order.
    groups: list[list[Hit]] | None = None
    total_groups: int = 0
    # Pages of the whole result set per application and country (a page counts once in each pair it has).
    application_country: dict[str, dict[str, int]] = field(default_factory=dict)
    mode: str = "bm25"  # how it was answered: "bm25", "vectors" or "hybrid"
    reading: str = ""  # the parsed query in words (query.describe)
    # Thematic area -> the application facet's (application, pages) of that area.
    applications_by_area: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # Freshness facet value -> the `since` parameter value that narrows the search to those pages.
    freshness_since: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "query": self.query, "total": self.total, "results": [hit.as_dict() for hit in self.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in self.facets.items()},
        }


def snippet_text(snippets: list[list[Segment]]) -> str:
    """Snippets as plain text: their own words only, separated by an ellipsis (no markup)."""
    return " … ".join("".join(segment.text for segment in snippet) for snippet in snippets)
