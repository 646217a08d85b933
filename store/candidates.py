"""Candidate organisations found on listing pages, the listings that name them, and the scout's decisions."""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Iterable, Iterator

from store.connection import StoreConnection
from store.records import Candidate, CandidateListing, ListingBody, utc_now

STATUSES = ("proposed", "accepted", "rejected")


class CandidateRecords(StoreConnection):
    def listing_bodies(self) -> Iterator[ListingBody]:
        """Current HTML pages (not gone, not duplicates of another), one body in memory at a time."""
        page_ids = [row[0] for row in self._db.execute(
            """SELECT id FROM pages
               WHERE gone_at IS NULL AND duplicate_of IS NULL AND http_status = 200
                 AND COALESCE(content_type, '') LIKE '%html%' ORDER BY id""")]
        for page_id in page_ids:
            row = self._db.execute(
                """SELECT p.id, p.final_url, p.organisation_id, p.genre, b.body, b.encoding
                   FROM pages p JOIN page_bodies b ON b.page_id = p.id WHERE p.id = ?""", (page_id,)).fetchone()
            if row is not None:
                yield ListingBody(row["id"], row["final_url"], row["organisation_id"], row["genre"],
                                  zlib.decompress(row["body"]), row["encoding"])

    def candidates(self, statuses: Iterable[str] = STATUSES) -> list[Candidate]:
        """Candidates with these statuses, each with its listings."""
        statuses = tuple(statuses)
        placeholders = ",".join("?" * len(statuses))
        found = {row["id"]: _candidate(row) for row in self._db.execute(
            f"SELECT * FROM candidates WHERE status IN ({placeholders}) ORDER BY id", statuses)}
        for row in self._db.execute(
            f"""SELECT l.*, p.final_url FROM candidate_listings l
                JOIN candidates c ON c.id = l.candidate_id JOIN pages p ON p.id = l.page_id
                WHERE c.status IN ({placeholders}) ORDER BY l.page_id""", statuses):
            found[row["candidate_id"]].listings.append(_listing(row))
        return list(found.values())

    def candidate(self, candidate_id: str) -> Candidate | None:
        row = self._db.execute("SELECT * FROM candidates WHERE id = ?", (candidate_id,)).fetchone()
        if row is None:
            return None
        candidate = _candidate(row)
        candidate.listings = [_listing(listing) for listing in self._db.execute(
            """SELECT l.*, p.final_url FROM candidate_listings l JOIN pages p ON p.id = l.page_id
               WHERE l.candidate_id = ? ORDER BY l.page_id""", (candidate_id,))]
        return candidate

    def save_candidates(self, candidates: Iterable[Candidate]) -> None:
        """Replace what discovery found: the candidates' details and all listings. Decisions are kept:
        a candidate a scout accepted or rejected keeps its status whatever discovery says."""
        now = utc_now()
        candidates = list(candidates)
        with self.transaction() as db:
            db.execute("DELETE FROM candidate_listings")
            for candidate in candidates:
                db.execute(
                    """INSERT INTO candidates (id, name, name_key, website, domain, country, applications,
                                               status, first_seen_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, 'proposed', ?)
                       ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                         website = excluded.website, domain = excluded.domain, country = excluded.country,
                         applications = excluded.applications""",
                    (candidate.id, candidate.name, candidate.name_key, candidate.website, candidate.domain,
                     candidate.country, json.dumps(candidate.applications), candidate.first_seen_at or now),
                )
                db.executemany(
                    """INSERT OR IGNORE INTO candidate_listings
                         (candidate_id, page_id, listed_by, anchor_text, entry_text, description)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    [(candidate.id, listing.page_id, listing.listed_by, listing.anchor_text, listing.entry_text,
                      listing.description) for listing in candidate.listings],
                )

    def decide_candidate(self, candidate_id: str, status: str, organisation_id: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown candidate status {status!r}")
        with self.transaction() as db:
            db.execute("UPDATE candidates SET status = ?, organisation_id = ?, decided_at = ? WHERE id = ?",
                       (status, organisation_id, utc_now(), candidate_id))


def _candidate(row: sqlite3.Row) -> Candidate:
    return Candidate(
        id=row["id"], name=row["name"], name_key=row["name_key"], website=row["website"], domain=row["domain"],
        country=row["country"], applications=json.loads(row["applications"]), status=row["status"],
        organisation_id=row["organisation_id"], first_seen_at=row["first_seen_at"], decided_at=row["decided_at"],
    )


def _listing(row: sqlite3.Row) -> CandidateListing:
    return CandidateListing(row["page_id"], row["final_url"], row["listed_by"], row["anchor_text"],
                            row["entry_text"], row["description"])
