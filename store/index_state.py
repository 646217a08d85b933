"""Which pages the indexes hold, so an index run touches only what changed (and a rebuild everything)."""

from __future__ import annotations

from typing import Iterable

from store.connection import StoreConnection
from store.records import utc_now


class IndexState(StoreConnection):
    def page_ids_to_index(self, rebuild: bool = False) -> list[int]:
        condition = "" if rebuild else "AND (indexed_content_hash IS NULL OR indexed_content_hash != content_hash)"
        rows = self._db.execute(
            f"""SELECT id FROM pages WHERE content_hash IS NOT NULL AND text != '' AND gone_at IS NULL
                  AND duplicate_of IS NULL {condition} ORDER BY id"""
        ).fetchall()
        return [row["id"] for row in rows]

    def page_ids_to_unindex(self) -> list[int]:
        """Indexed pages that have since gone or turned out to duplicate another page."""
        rows = self._db.execute(
            "SELECT id FROM pages WHERE indexed_at IS NOT NULL AND (gone_at IS NOT NULL OR duplicate_of IS NOT NULL)"
        )
        return [row["id"] for row in rows]

    def mark_unindexed(self, page_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE pages SET indexed_content_hash = NULL, indexed_at = NULL WHERE id = ?",
                           [(page_id,) for page_id in page_ids])

    def mark_indexed(self, page_ids: Iterable[int]) -> None:
        now = utc_now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE pages SET indexed_content_hash = content_hash, indexed_at = ? WHERE id = ?",
                [(now, page_id) for page_id in page_ids],
            )

    def forget_index(self) -> None:
        self._db.execute("UPDATE pages SET indexed_content_hash = NULL, indexed_at = NULL")
