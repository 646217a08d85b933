"""Pages as readers see them: one page with its tags, TRL and aliases; counts for statistics and coverage."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from store.connection import StoreConnection
from store.records import PageView, Tag, TRLRecord


class PageQueries(StoreConnection):
    def page(self, page_id: int) -> PageView | None:
        pages = self.pages([page_id])
        return pages[0] if pages else None

    def pages(self, page_ids: list[int]) -> list[PageView]:
        if not page_ids:
            return []
        placeholders = ",".join("?" * len(page_ids))
        rows = self._db.execute(
            # The registry's organisation and country win; a page of an ad-hoc site (no type: its name is
            # only its host) shows what its own text says.
            f"""SELECT p.*,
                       CASE WHEN COALESCE(o.type, '') = '' THEN COALESCE(p.text_organisation, o.name)
                            ELSE o.name END AS organisation,
                       COALESCE(NULLIF(o.country, ''), p.text_country) AS country,
                       o.type AS organisation_type, o.market
                FROM pages p LEFT JOIN organisations o ON o.id = p.organisation_id
                WHERE p.id IN ({placeholders})""",
            page_ids,
        ).fetchall()
        views = {row["id"]: _page_view(row) for row in rows}
        for row in self._db.execute(
            f"SELECT * FROM tags WHERE page_id IN ({placeholders}) ORDER BY score DESC", page_ids
        ):
            views[row["page_id"]].tags.append(Tag(row["application"], row["score"], row["evidence"], row["signal"],
                                                  bool(row["mention"])))
        for row in self._db.execute(f"SELECT * FROM trl WHERE page_id IN ({placeholders})", page_ids):
            views[row["page_id"]].trl = TRLRecord(row["level"], row["cue"], row["confidence"], row["runner_up"])
        for row in self._db.execute(
            f"SELECT duplicate_of, final_url FROM pages WHERE duplicate_of IN ({placeholders}) ORDER BY final_url",
            page_ids,
        ):
            views[row["duplicate_of"]].aliases.append(row["final_url"])
        return [views[page_id] for page_id in page_ids if page_id in views]

    def page_id_for_url(self, url: str) -> int | None:
        row = self._db.execute("SELECT id FROM pages WHERE url = ? OR final_url = ?", (url, url)).fetchone()
        return row["id"] if row else None

    def page_ids_by_url(self, urls: Iterable[str]) -> dict[str, int]:
        """Current pages known under these URLs (as requested or as finally served)."""
        found: dict[str, int] = {}
        for url in set(urls):
            row = self._db.execute(
                "SELECT id FROM pages WHERE (url = ? OR final_url = ?) AND gone_at IS NULL", (url, url)).fetchone()
            if row is not None:
                found[url] = row["id"]
        return found

    def current_page_counts(self) -> dict[str, int]:
        """Pages per organisation id, leaving out pages that have gone (404/410 twice in a row)."""
        rows = self._db.execute(
            """SELECT organisation_id, COUNT(*) AS pages FROM pages
               WHERE gone_at IS NULL AND organisation_id IS NOT NULL GROUP BY organisation_id"""
        )
        return {row["organisation_id"]: row["pages"] for row in rows}

    def organisation_page_ids(self, organisation_id: str) -> list[int]:
        """The organisation's current pages, copies left out, in title order."""
        rows = self._db.execute(
            """SELECT id FROM pages WHERE organisation_id = ? AND gone_at IS NULL AND duplicate_of IS NULL
               ORDER BY COALESCE(NULLIF(title, ''), url) COLLATE NOCASE, id""",
            (organisation_id,),
        )
        return [row["id"] for row in rows]

    def organisation_changes(self, organisation_id: str, since: str) -> list[tuple[int, str]]:
        """(page id, "new" or "changed") for the organisation's current pages first seen or changed at `since` or later."""
        rows = self._db.execute(
            """SELECT id, CASE WHEN first_seen_at >= ? THEN 'new' ELSE 'changed' END AS change FROM pages
               WHERE organisation_id = ? AND gone_at IS NULL AND duplicate_of IS NULL AND last_changed_at >= ?
               ORDER BY change DESC, last_changed_at DESC, id""",
            (since, organisation_id, since),
        )
        return [(row["id"], row["change"]) for row in rows]

    def trl_records(self, page_ids: Iterable[int]) -> dict[int, TRLRecord]:
        ids = list(page_ids)
        if not ids:
            return {}
        rows = self._db.execute(f"SELECT * FROM trl WHERE page_id IN ({','.join('?' * len(ids))})", ids)
        return {row["page_id"]: TRLRecord(row["level"], row["cue"], row["confidence"], row["runner_up"])
                for row in rows}

    def organisation_names(self, organisation_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(organisation_ids))
        if not ids:
            return {}
        rows = self._db.execute(
            f"SELECT id, name FROM organisations WHERE id IN ({','.join('?' * len(ids))})", ids)
        return {row["id"]: row["name"] for row in rows}

    def stats(self) -> dict[str, Any]:
        one = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "organisations": one("SELECT COUNT(*) FROM organisations"),
            "pages": one("SELECT COUNT(*) FROM pages WHERE gone_at IS NULL"),
            "duplicate_pages": one("SELECT COUNT(*) FROM pages WHERE gone_at IS NULL AND duplicate_of IS NOT NULL"),
            "processed_pages": one("SELECT COUNT(*) FROM pages WHERE processed_at IS NOT NULL"),
            "tagged_pages": one("SELECT COUNT(DISTINCT page_id) FROM tags"),
            "indexed_pages": one("SELECT COUNT(*) FROM pages WHERE indexed_at IS NOT NULL"),
        }


def _page_view(row: sqlite3.Row) -> PageView:
    return PageView(
        id=row["id"], url=row["url"], final_url=row["final_url"], title=row["title"] or "", text=row["text"] or "",
        language=row["language"], fetched_at=row["fetched_at"], first_seen_at=row["first_seen_at"],
        last_changed_at=row["last_changed_at"], http_status=row["http_status"], content_type=row["content_type"],
        content_hash=row["content_hash"], organisation_id=row["organisation_id"], organisation=row["organisation"],
        country=row["country"], organisation_type=row["organisation_type"], market=row["market"],
        role=row["role"], role_evidence=row["role_evidence"], regulatory=json.loads(row["regulatory"]),
        europe_entry=json.loads(row["europe_entry"]), gone_at=row["gone_at"], duplicate_of=row["duplicate_of"],
        genre=row["genre"], analysis_version=row["analysis_version"], published_date=row["published_date"],
        modified_date=row["modified_date"],
    )
