"""Organisations as the registry (or an ad-hoc crawl) described them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Mapping

from store.connection import StoreConnection
from store.records import utc_now


class OrganisationRecords(StoreConnection):
    def upsert_organisations(self, organisations: Iterable[Mapping[str, Any]]) -> int:
        now = utc_now()
        rows = [
            (
                org["id"], org["name"], org.get("country"), org.get("market"), org.get("type"),
                org.get("website"), json.dumps(list(org.get("languages") or [])), org.get("source"), now,
            )
            for org in organisations
        ]
        with self.transaction() as db:
            db.executemany(
                """INSERT INTO organisations (id, name, country, market, type, website, languages, source, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET name=excluded.name, country=excluded.country,
                     market=excluded.market, type=excluded.type, website=excluded.website,
                     languages=excluded.languages, source=excluded.source, updated_at=excluded.updated_at""",
                rows,
            )
        return len(rows)

    def organisation(self, organisation_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM organisations WHERE id = ?", (organisation_id,)).fetchone()
        return _organisation_dict(row) if row else None

    def organisations(self) -> list[dict[str, Any]]:
        return [_organisation_dict(row) for row in self._db.execute("SELECT * FROM organisations ORDER BY id")]


def _organisation_dict(row: sqlite3.Row) -> dict[str, Any]:
    org = dict(row)
    org["languages"] = json.loads(org["languages"])
    return org
