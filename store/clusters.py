"""What belongs to one partner cluster: its SME roster, its shortlists and their annotated items.

Every read and write takes the cluster's id and touches only that cluster's rows, so one cluster can
never reach another's SME or shortlist by guessing an id. Also the cache of embedded texts that
matching compares (shared: a vector says nothing about who asked for it).
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Iterable

from store.connection import StoreConnection
from store.records import utc_now

if TYPE_CHECKING:
    import numpy as np

SHORTLIST_STATUSES = ("new", "contacted", "interested", "not-relevant")


class ClusterRecords(StoreConnection):
    # -- SMEs -----------------------------------------------------------------------------------------

    def find_sme(self, cluster_id: str, name_key: str, website_key: str | None) -> dict[str, Any] | None:
        """The cluster's SME with this normalised name, else with this website."""
        row = self._db.execute("SELECT * FROM smes WHERE cluster_id = ? AND name_key = ?",
                               (cluster_id, name_key)).fetchone()
        if row is None and website_key:
            row = self._db.execute("SELECT * FROM smes WHERE cluster_id = ? AND website_key = ?",
                                   (cluster_id, website_key)).fetchone()
        return _sme_dict(row) if row else None

    def save_sme(self, cluster_id: str, sme: dict[str, Any]) -> tuple[int, bool]:
        """Insert the SME, or update the one with the same name or website; returns (id, created)."""
        now = utc_now()
        existing = self.find_sme(cluster_id, sme["name_key"], sme.get("website_key"))
        values = (sme["name"], sme["name_key"], sme.get("website"), sme.get("website_key"), sme.get("country"),
                  sme.get("capabilities") or "", json.dumps(sme.get("profile") or {}), now)
        with self.transaction() as db:
            if existing is not None:
                db.execute("""UPDATE smes SET name = ?, name_key = ?, website = ?, website_key = ?, country = ?,
                                capabilities = ?, profile = ?, updated_at = ? WHERE id = ?""",
                           (*values, existing["id"]))
                return existing["id"], False
            cursor = db.execute(
                """INSERT INTO smes (name, name_key, website, website_key, country, capabilities, profile,
                                     updated_at, cluster_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (*values, cluster_id, now))
            return cursor.lastrowid, True

    def link_sme_organisation(self, cluster_id: str, sme_id: int, organisation_id: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE smes SET organisation_id = ? WHERE id = ? AND cluster_id = ?",
                       (organisation_id, sme_id, cluster_id))

    def smes(self, cluster_id: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM smes WHERE cluster_id = ? ORDER BY name COLLATE NOCASE",
                                (cluster_id,))
        return [_sme_dict(row) for row in rows]

    def sme(self, cluster_id: str, sme_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM smes WHERE id = ? AND cluster_id = ?", (sme_id, cluster_id)).fetchone()
        return _sme_dict(row) if row else None

    def sme_organisation_ids(self) -> set[str]:
        """Organisations that are some roster's own SME websites (of any cluster): not finds for matching."""
        rows = self._db.execute("SELECT DISTINCT organisation_id FROM smes WHERE organisation_id IS NOT NULL")
        return {row[0] for row in rows}

    # -- what organisations' pages say, for matching -------------------------------------------------------

    def organisation_tags(self, organisation_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Tags of current, processed, non-duplicate pages that say what their organisation itself does
        (not a directory's mentions of others), with each page's URL and fetch date."""
        where, params = _organisation_filter(organisation_ids)
        rows = self._db.execute(
            f"""SELECT p.organisation_id, p.id AS page_id, p.url, p.title, p.fetched_at, t.application, t.score,
                       t.evidence
                FROM tags t JOIN pages p ON p.id = t.page_id
                WHERE t.mention = 0 AND p.gone_at IS NULL AND p.duplicate_of IS NULL
                  AND p.organisation_id IS NOT NULL {where}
                ORDER BY t.score DESC, p.id""", params)
        return [dict(row) for row in rows]

    def organisation_roles(self, organisation_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Per organisation and role: how many of its pages show that role, with one page's evidence."""
        where, params = _organisation_filter(organisation_ids)
        rows = self._db.execute(
            f"""SELECT p.organisation_id, p.role, COUNT(*) AS pages, MIN(p.role_evidence) AS evidence
                FROM pages p
                WHERE p.role IS NOT NULL AND p.gone_at IS NULL AND p.duplicate_of IS NULL
                  AND p.organisation_id IS NOT NULL {where}
                GROUP BY p.organisation_id, p.role ORDER BY p.organisation_id, pages DESC, p.role""", params)
        return [dict(row) for row in rows]

    def processed_organisation_ids(self) -> list[str]:
        rows = self._db.execute(
            """SELECT DISTINCT organisation_id FROM pages
               WHERE processed_at IS NOT NULL AND gone_at IS NULL AND organisation_id IS NOT NULL
               ORDER BY organisation_id""")
        return [row[0] for row in rows]

    # -- shortlists -----------------------------------------------------------------------------------

    def create_shortlist(self, cluster_id: str, name: str) -> int:
        with self.transaction() as db:
            return db.execute("INSERT INTO shortlists (cluster_id, name, created_at) VALUES (?, ?, ?)",
                              (cluster_id, name, utc_now())).lastrowid

    def shortlists(self, cluster_id: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            """SELECT s.*, COUNT(i.id) AS items FROM shortlists s LEFT JOIN shortlist_items i ON i.shortlist_id = s.id
               WHERE s.cluster_id = ? GROUP BY s.id ORDER BY s.name COLLATE NOCASE""", (cluster_id,))
        return [dict(row) for row in rows]

    def shortlist(self, cluster_id: str, shortlist_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM shortlists WHERE id = ? AND cluster_id = ?",
                               (shortlist_id, cluster_id)).fetchone()
        return dict(row) if row else None

    def shortlist_named(self, cluster_id: str, name: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM shortlists WHERE name = ? AND cluster_id = ?",
                               (name, cluster_id)).fetchone()
        return dict(row) if row else None

    def delete_shortlist(self, cluster_id: str, shortlist_id: int) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM shortlists WHERE id = ? AND cluster_id = ?",
                              (shortlist_id, cluster_id)).rowcount > 0

    def add_shortlist_item(self, cluster_id: str, shortlist_id: int, item: dict[str, Any]) -> int | None:
        """Append an item (kind, page_id, organisation_id, sme_id, application, score, reasons, note, owner); None when
        the shortlist is not this cluster's."""
        with self.transaction() as db:
            if not _owned(db, cluster_id, shortlist_id):
                return None
            position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM shortlist_items WHERE shortlist_id = ?",
                                  (shortlist_id,)).fetchone()[0]
            return db.execute(
                """INSERT INTO shortlist_items (shortlist_id, position, kind, page_id, organisation_id, sme_id, application,
                                                score, reasons, note, owner, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (shortlist_id, position, item["kind"], item.get("page_id"), item.get("organisation_id"),
                 item.get("sme_id"), item.get("application"), item.get("score"), json.dumps(list(item.get("reasons") or [])),
                 item.get("note") or "", item.get("owner") or "", utc_now())).lastrowid

    def shortlist_items(self, cluster_id: str, shortlist_id: int) -> list[dict[str, Any]]:
        rows = self._db.execute(
            """SELECT i.*, m.name AS sme_name FROM shortlist_items i
               JOIN shortlists s ON s.id = i.shortlist_id LEFT JOIN smes m ON m.id = i.sme_id
               WHERE i.shortlist_id = ? AND s.cluster_id = ? ORDER BY i.position, i.id""", (shortlist_id, cluster_id))
        return [{**dict(row), "reasons": json.loads(row["reasons"])} for row in rows]

    def annotate_shortlist_item(self, cluster_id: str, shortlist_id: int, item_id: int,
                                changes: dict[str, str]) -> bool:
        """Set any of status, note, owner; False when there is no such item in this cluster's shortlist."""
        columns = [column for column in ("status", "note", "owner") if column in changes]
        if not columns:
            return self._item_exists(cluster_id, shortlist_id, item_id)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        with self.transaction() as db:
            if not _owned(db, cluster_id, shortlist_id):
                return False
            return db.execute(f"UPDATE shortlist_items SET {assignments} WHERE id = ? AND shortlist_id = ?",
                              (*(changes[c] for c in columns), item_id, shortlist_id)).rowcount > 0

    def move_shortlist_item(self, cluster_id: str, shortlist_id: int, item_id: int, position: int) -> bool:
        """Put the item at `position` (1-based, clamped to the list) and renumber the others around it."""
        with self.transaction() as db:
            if not _owned(db, cluster_id, shortlist_id):
                return False
            order = [row[0] for row in db.execute(
                "SELECT id FROM shortlist_items WHERE shortlist_id = ? ORDER BY position, id", (shortlist_id,))]
            if item_id not in order:
                return False
            order.remove(item_id)
            order.insert(max(0, min(position - 1, len(order))), item_id)
            db.executemany("UPDATE shortlist_items SET position = ? WHERE id = ?",
                           [(index, each) for index, each in enumerate(order, 1)])
            return True

    def remove_shortlist_item(self, cluster_id: str, shortlist_id: int, item_id: int) -> bool:
        with self.transaction() as db:
            if not _owned(db, cluster_id, shortlist_id):
                return False
            return db.execute("DELETE FROM shortlist_items WHERE id = ? AND shortlist_id = ?",
                              (item_id, shortlist_id)).rowcount > 0

    def _item_exists(self, cluster_id: str, shortlist_id: int, item_id: int) -> bool:
        return any(item["id"] == item_id for item in self.shortlist_items(cluster_id, shortlist_id))

    # -- embedded texts -------------------------------------------------------------------------------

    def cached_vectors(self, text_hashes: Iterable[str]) -> dict[str, "np.ndarray"]:
        import numpy as np  # only matching needs it; the CLI starts without

        found = {}
        for text_hash in set(text_hashes):
            row = self._db.execute("SELECT vector FROM text_vectors WHERE text_hash = ?", (text_hash,)).fetchone()
            if row is not None:
                found[text_hash] = np.frombuffer(row[0], dtype=np.float32)
        return found

    def save_vectors(self, vectors: dict[str, "np.ndarray"]) -> None:
        import numpy as np

        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO text_vectors (text_hash, vector) VALUES (?, ?)",
                           [(text_hash, np.asarray(vector, dtype=np.float32).tobytes())
                            for text_hash, vector in vectors.items()])


def _owned(db: sqlite3.Connection, cluster_id: str, shortlist_id: int) -> bool:
    return db.execute("SELECT 1 FROM shortlists WHERE id = ? AND cluster_id = ?",
                      (shortlist_id, cluster_id)).fetchone() is not None


def _organisation_filter(organisation_ids: Iterable[str] | None) -> tuple[str, list[str]]:
    if organisation_ids is None:
        return "", []
    ids = list(organisation_ids)
    return f"AND p.organisation_id IN ({','.join('?' * len(ids))})" if ids else "AND 0", ids


def _sme_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {**dict(row), "profile": json.loads(row["profile"])}
