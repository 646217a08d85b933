"""Shortlists and whole searches as CSV or XLSX, every row carrying its provenance.

A row says where its claim comes from: the source URL, when it was crawled, the evidence sentence and
the application it supports, the TRL with its cue and confidence, and for a match the SME, score and
reasons. Cells are guarded against formula injection: scraped text starting with = + - @ (or a tab or
carriage return) would run as a formula in a spreadsheet, so it is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any, Iterable

from retrieval.requests import SearchRequest
from retrieval.service import Searcher
from scout import shapes
from search_app import shortlists
from store import PageView, Store
from taxonomy import APPLICATIONS

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# A whole search, not only the 50 pages × 20 the UI pages through; beyond this, narrow the filters.
MAX_SEARCH_ROWS = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PROVENANCE_COLUMNS = [
    ("organisation_id", "organisation id"), ("organisation", "organisation"), ("page_title", "page title"),
    ("source_url", "source URL"), ("crawl_date", "crawl date"), ("application_id", "application id"),
    ("application", "application"), ("evidence", "evidence sentence"), ("trl", "TRL"), ("trl_cue", "TRL cue"),
    ("trl_confidence", "TRL confidence"),
]
SHORTLIST_COLUMNS = [("position", "#"), ("kind", "kind"), *PROVENANCE_COLUMNS, ("matched_sme", "matched SME"),
                     ("match_score", "match score"), ("match_reasons", "match reasons"), ("status", "status"),
                     ("note", "note"), ("owner", "owner")]
SEARCH_COLUMNS = [("rank", "#"), *PROVENANCE_COLUMNS, ("score", "search score")]


class ExportError(ValueError):
    """An export that cannot be made as asked (an unknown format); the message says why."""


def check_format(export_format: str) -> str:
    if export_format not in FORMATS:
        raise ExportError(f"format must be csv or xlsx, not {export_format[:40]!r}")
    return export_format


# -- rows ---------------------------------------------------------------------------------------------


def shortlist_rows(store: Store, cluster_id: str, shortlist_id: int) -> list[dict[str, Any]]:
    """One row per item, in the shortlist's order; raises shortlists.NotFound for another cluster's list."""
    items = shortlists.detail(store, cluster_id, shortlist_id)["items"]
    rows = []
    for item in items:
        page_id = item["page_id"] or _best_page_id(store, item["organisation_id"])
        page = store.page(page_id) if page_id else None
        organisation = store.organisation(item["organisation_id"]) if item["organisation_id"] else None
        row = {
            "position": item["position"], "kind": item["kind"],
            **_provenance(page, item["application"], item["organisation_id"],
                          item["organisation"] or (organisation or {}).get("name")),
            "matched_sme": item["sme_name"] or "", "match_score": item["score"],
            "match_reasons": "; ".join(item["reasons"]), "status": item["status"], "note": item["note"],
            "owner": item["owner"],
        }
        rows.append(row)
    return rows


def search_rows(searcher: Searcher, search: SearchRequest, limit: int = MAX_SEARCH_ROWS) -> list[dict[str, Any]]:
    """Every result of a search with its filters (up to `limit`), in rank order; raises IndexMissingError."""
    # Past the UI's page bounds on purpose: the request was validated, only its window is widened.
    results = searcher.search(dataclasses.replace(search, page=1, limit=limit, group=""))
    return [{"rank": rank, **_provenance(hit.page, None, hit.organisation_id, hit.organisation),
             "score": round(hit.score, 4)}
            for rank, hit in enumerate(results.hits, 1)]


def _best_page_id(store: Store, organisation_id: str | None) -> int | None:
    if not organisation_id:
        return None
    tags = store.organisation_tags([organisation_id])
    return tags[0]["page_id"] if tags else None


def _provenance(page: PageView | None, application: str | None, organisation_id: str | None,
                organisation: str | None) -> dict[str, Any]:
    row = {key: "" for key, _ in PROVENANCE_COLUMNS}
    row.update(organisation_id=organisation_id or "", organisation=organisation or "")
    if page is None:
        return row
    own_tags = [tag for tag in page.tags if not tag.mention] or page.tags
    tag = next((t for t in own_tags if t.application == application), own_tags[0] if own_tags else None)
    row.update(page_title=page.title, source_url=page.final_url or page.url,
               crawl_date=shapes.timestamp(page.fetched_at) or "",
               organisation=organisation or page.organisation or "")
    if tag is not None:
        info = APPLICATIONS.get(tag.application)
        row.update(application_id=tag.application, application=info.name if info else "", evidence=tag.evidence)
    if page.trl is not None:
        row.update(trl=page.trl.level, trl_cue=page.trl.cue, trl_confidence=round(page.trl.confidence, 2))
    return row


# -- files --------------------------------------------------------------------------------------------


def guard(value: Any) -> Any:
    """A cell a spreadsheet shows as text: strings that would start a formula get a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(rows: Iterable[dict[str, Any]], columns: list[tuple[str, str]], export_format: str) -> bytes:
    check_format(export_format)
    table = [[label for _, label in columns]] + [[guard(row.get(key)) for key, _ in columns] for row in rows]
    return _csv(table) if export_format == "csv" else _xlsx(table)


def _csv(table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    # With a BOM, spreadsheet programs read the file as UTF-8 (evidence quotes hold accents, Korean, Japanese).
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(table: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scout export"
    for row in table:
        # openpyxl refuses control characters a scraped page may hold; they carry nothing readable.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # belt and braces: text is never a formula, even if the guard missed one
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(stem: str, export_format: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem).strip("-")[:60] or "scout"
    return f"{safe}.{export_format}"
