"""Search results as JSON (the shapes of scout/shapes.py), shared by the API and `scout search --json`.

Kept apart from search_app so the command line prints the same JSON without importing Flask.
"""

from __future__ import annotations

import math
from typing import Any

from retrieval.requests import MAX_PAGE, PAGE_SIZE
from retrieval.results import SearchResults, snippet_text
from scout import shapes


def result_page_count(results: SearchResults, limit: int = PAGE_SIZE) -> int:
    """Pages of results (of organisations, when grouped) that can be asked for."""
    return page_count(results.total_groups if results.groups is not None else results.total, limit)


def page_count(total: int, limit: int = PAGE_SIZE) -> int:
    """Pages of `limit` results that can be asked for (0 when there are no results)."""
    return min(MAX_PAGE, math.ceil(total / limit))


def search_json(results: SearchResults, page: int, limit: int) -> dict[str, Any]:
    """One page of results, each hit shaped from the store record the search read."""
    def summary(hit):
        return shapes.page_summary(hit.page, hit.score, snippet_text(hit.snippets))

    groups = None
    if results.groups is not None:
        pages_per_organisation = dict(results.facets.get("organisation_id", ()))
        groups = [shapes.result_group(summary(group[0])["organisation"],
                                      pages_per_organisation.get(group[0].organisation_id, len(group)),
                                      [summary(hit) for hit in group])
                  for group in results.groups]
    shaped = shapes.search_results(results.query, results.total, page, limit, result_page_count(results, limit),
                                   [summary(hit) for hit in results.hits], results.facets, groups,
                                   results.total_groups if groups is not None else None)
    # Added after the documented fields, so existing readers of the shape are unaffected.
    shaped.update(mode=results.mode, reading=results.reading,
                  applications_by_area={area: [{"value": value, "count": count} for value, count in counts]
                                        for area, counts in results.applications_by_area.items()})
    return shaped
