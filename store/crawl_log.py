"""Crawl runs, their frontier (for resuming) and the outcome of every fetch, counted per organisation."""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any, Iterable

from store.connection import StoreConnection
from store.records import FetchedPage, sha256_hex, utc_now

# What record_fetch can report, and the crawl_runs / crawl_run_organisations column each one counts in.
RUN_COLUMNS = {name: name for name in ("fetched", "new", "changed", "unchanged", "gone", "failed")} | {
    "blocked": "robots_blocked"}
ROBOTS_BLOCKED_PREFIX = "robots.txt"
GONE_AFTER_MISSING = 2


class CrawlLog(StoreConnection):
    def start_crawl_run(self, targets: Iterable[str]) -> int:
        cursor = self._db.execute(
            "INSERT INTO crawl_runs (started_at, targets) VALUES (?, ?)", (utc_now(), json.dumps(sorted(targets)))
        )
        return int(cursor.lastrowid)

    def finish_crawl_run(self, run_id: int, status: str = "finished") -> None:
        """status: finished, interrupted (resumable) or failed."""
        self._db.execute(
            "UPDATE crawl_runs SET finished_at = ?, status = ? WHERE id = ?", (utc_now(), status, run_id)
        )

    def crawl_run(self, run_id: int) -> dict[str, Any]:
        row = self._db.execute("SELECT * FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
        return _run_dict(row) if row else {}

    def interrupted_run(self, targets: Iterable[str]) -> int | None:
        """The latest run over exactly these targets that never finished (its process was killed)."""
        row = self._db.execute(
            """SELECT id FROM crawl_runs WHERE status IN ('running', 'interrupted') AND targets = ?
               ORDER BY id DESC LIMIT 1""",
            (json.dumps(sorted(targets)),),
        ).fetchone()
        return row["id"] if row else None

    def last_crawl_run(self) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        return _run_dict(row) if row else None

    # -- crawl frontier -----------------------------------------------------------

    def queue_url(self, run_id: int, url: str, organisation_id: str, depth: int) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO crawl_frontier (run_id, url, organisation_id, depth) VALUES (?, ?, ?, ?)",
            (run_id, url, organisation_id, depth),
        )

    def frontier(self, run_id: int) -> tuple[list[tuple[str, str, int]], set[str]]:
        """(URLs still to fetch as (url, organisation_id, depth), every URL this run has scheduled)."""
        rows = self._db.execute(
            "SELECT url, organisation_id, depth, done FROM crawl_frontier WHERE run_id = ? ORDER BY depth, rowid",
            (run_id,),
        ).fetchall()
        pending = [(row["url"], row["organisation_id"], row["depth"]) for row in rows if not row["done"]]
        return pending, {row["url"] for row in rows}

    def clear_frontier(self, run_id: int) -> None:
        self._db.execute("DELETE FROM crawl_frontier WHERE run_id = ?", (run_id,))

    # -- fetch outcomes -----------------------------------------------------------

    def record_fetch(self, run_id: int, page: FetchedPage) -> str:
        """Store one response; returns what it was for this run.

        new / changed / unchanged for content (304 Not Modified is unchanged); blocked for robots.txt refusals;
        gone for the second 404/410 in a row (the page leaves the index); failed for any other error.
        """
        now = utc_now()
        with self.transaction() as db:
            if page.error and page.error.startswith(ROBOTS_BLOCKED_PREFIX):
                outcome = "blocked"
                self._count(db, run_id, page.organisation_id, outcome, error=None)
                self._settle_frontier(db, run_id, page)
                return outcome
            existing = db.execute("SELECT id, body_hash, missing_count FROM pages WHERE url = ?", (page.url,)).fetchone()
            if page.unchanged_per_sitemap and existing is not None:
                # Confirmed current without a request: counted unchanged, but its fetch date stays true.
                db.execute("UPDATE pages SET crawl_run_id = ?, missing_count = 0, gone_at = NULL WHERE id = ?",
                           (run_id, existing["id"]))
                self._count(db, run_id, page.organisation_id, "unchanged", error=None)
                return "unchanged"
            if page.http_status == 304 and existing is not None:
                outcome = "unchanged"
                db.execute(
                    """UPDATE pages SET fetched_at = ?, crawl_run_id = ?, http_status = 200, missing_count = 0,
                         gone_at = NULL, error = NULL WHERE id = ?""",
                    (now, run_id, existing["id"]),
                )
            elif page.error or page.http_status >= 400:
                outcome = self._record_failure(db, run_id, page, existing, now)
            else:
                outcome = self._record_content(db, run_id, page, existing, now)
            # Only an answer counts as fetched: a refused connection or a timeout got nothing.
            self._count(db, run_id, page.organisation_id, *(("fetched",) if page.http_status else ()), outcome,
                        error=page.error or (f"HTTP {page.http_status}" if page.http_status >= 400 else None))
            self._settle_frontier(db, run_id, page)
        return outcome

    @staticmethod
    def _settle_frontier(db: sqlite3.Connection, run_id: int, page: FetchedPage) -> None:
        db.executemany("UPDATE crawl_frontier SET done = 1 WHERE run_id = ? AND url = ?",
                       [(run_id, url) for url in {page.url, page.requested_url} if url])

    def _record_failure(self, db: sqlite3.Connection, run_id: int, page: FetchedPage,
                        existing: sqlite3.Row | None, now: str) -> str:
        error = page.error or f"HTTP {page.http_status}"
        if existing is None:
            return "failed"
        if page.http_status in (404, 410):
            missing = existing["missing_count"] + 1
            gone = missing >= GONE_AFTER_MISSING
            db.execute(
                """UPDATE pages SET missing_count = ?, gone_at = CASE WHEN ? THEN COALESCE(gone_at, ?) END,
                     http_status = ?, fetched_at = ?, crawl_run_id = ? WHERE id = ?""",
                (missing, gone, now, page.http_status, now, run_id, existing["id"]),
            )
            return "gone" if gone else "failed"
        # A transient error keeps the last good copy current; it is only noted.
        db.execute("UPDATE pages SET error = ?, fetched_at = ?, crawl_run_id = ? WHERE id = ?",
                   (error, now, run_id, existing["id"]))
        return "failed"

    def _record_content(self, db: sqlite3.Connection, run_id: int, page: FetchedPage,
                        existing: sqlite3.Row | None, now: str) -> str:
        body_hash = sha256_hex(page.body)
        if existing is None:
            outcome = "new"
            cursor = db.execute(
                """INSERT INTO pages (url, final_url, organisation_id, crawl_run_id, depth, http_status,
                     content_type, etag, last_modified, body_hash, first_seen_at, last_changed_at, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (page.url, page.final_url, page.organisation_id, run_id, page.depth, page.http_status,
                 page.content_type, page.etag, page.last_modified, body_hash, now, now, now),
            )
            page_id = cursor.lastrowid
        else:
            page_id = existing["id"]
            outcome = "unchanged" if existing["body_hash"] == body_hash else "changed"
            db.execute(
                """UPDATE pages SET final_url = ?, organisation_id = ?, crawl_run_id = ?, depth = ?,
                     http_status = ?, content_type = ?, etag = ?, last_modified = ?, body_hash = ?,
                     fetched_at = ?, error = NULL, missing_count = 0, gone_at = NULL
                   WHERE id = ?""",
                (page.final_url, page.organisation_id, run_id, page.depth, page.http_status, page.content_type,
                 page.etag, page.last_modified, body_hash, now, page_id),
            )
        if outcome != "unchanged":
            db.execute(
                "INSERT OR REPLACE INTO page_bodies (page_id, body, encoding) VALUES (?, ?, ?)",
                (page_id, zlib.compress(page.body, 6), page.encoding),
            )
        return outcome

    @staticmethod
    def _count(db: sqlite3.Connection, run_id: int, organisation_id: str | None, *counters: str,
               error: str | None) -> None:
        columns = [RUN_COLUMNS[name] for name in counters]
        assignments = ", ".join(f"{column} = {column} + 1" for column in columns)
        db.execute(f"UPDATE crawl_runs SET {assignments} WHERE id = ?", (run_id,))
        db.execute(
            f"""INSERT INTO crawl_run_organisations (run_id, organisation_id, {", ".join(columns)}, last_error)
                VALUES (?, ?, {", ".join("1" for _ in columns)}, ?)
                ON CONFLICT(run_id, organisation_id) DO UPDATE SET {assignments},
                  last_error = COALESCE(excluded.last_error, last_error)""",
            (run_id, organisation_id or "", error),
        )

    def organisation_run_counts(self, run_id: int) -> dict[str, dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM crawl_run_organisations WHERE run_id = ?", (run_id,))
        return {row["organisation_id"]: dict(row) for row in rows}

    def latest_run_by_organisation(self) -> dict[str, dict[str, Any]]:
        """Per organisation id, the latest crawl run that targeted it or counted a fetch for it.

        Each value holds the run's run_id, started_at, finished_at and status, and the organisation's
        own counters in that run (zero when the run fetched nothing for it).
        """
        counters = ("fetched", "new", "changed", "unchanged", "gone", "failed", "robots_blocked")
        counts: dict[int, dict[str, sqlite3.Row]] = {}
        for row in self._db.execute("SELECT * FROM crawl_run_organisations"):
            counts.setdefault(row["run_id"], {})[row["organisation_id"]] = row
        latest: dict[str, dict[str, Any]] = {}
        for run in self._db.execute("SELECT id, started_at, finished_at, status, targets FROM crawl_runs ORDER BY id"):
            run_counts = counts.get(run["id"], {})
            for organisation_id in set(json.loads(run["targets"])) | set(run_counts):
                if not organisation_id:  # fetches no organisation claimed
                    continue
                row = run_counts.get(organisation_id)
                latest[organisation_id] = {
                    "run_id": run["id"], "started_at": run["started_at"], "finished_at": run["finished_at"],
                    "status": run["status"], "last_error": row["last_error"] if row else None,
                    **{name: row[name] if row else 0 for name in counters},
                }
        return latest

    # -- validators for conditional re-crawls ---------------------------------------

    def validators_for(self, organisation_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """Every current page of these organisations: canonical URL -> (ETag, Last-Modified) it was served with."""
        ids = list(organisation_ids)
        rows = self._db.execute(
            f"""SELECT url, etag, last_modified FROM pages
                WHERE gone_at IS NULL AND organisation_id IN ({",".join("?" * len(ids))})""",
            ids,
        )
        return {row["url"]: (row["etag"], row["last_modified"]) for row in rows}

    def fetch_times_for(self, organisation_ids: Iterable[str]) -> dict[str, str]:
        """Every current page of these organisations: canonical URL -> when it was last fetched."""
        ids = list(organisation_ids)
        rows = self._db.execute(
            f"""SELECT url, fetched_at FROM pages
                WHERE gone_at IS NULL AND organisation_id IN ({",".join("?" * len(ids))})""",
            ids,
        )
        return {row["url"]: row["fetched_at"] for row in rows}


def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
    run = dict(row)
    run["targets"] = json.loads(run["targets"])
    return run
