"""The SQLite store (WAL mode): organisations, crawl runs, pages, tags and TRL estimates."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

log = logging.getLogger(__name__)

# What record_fetch can report, and the crawl_runs / crawl_run_organisations column each one counts in.
RUN_COLUMNS = {name: name for name in ("fetched", "new", "changed", "unchanged", "gone", "failed")} | {
    "blocked": "robots_blocked"}
ROBOTS_BLOCKED_PREFIX = "robots.txt"
GONE_AFTER_MISSING = 2


class StoreError(RuntimeError):
    """The store cannot be opened or migrated."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as the crawler saw it."""

    url: str
    final_url: str
    organisation_id: str | None
    http_status: int
    content_type: str | None = None
    body: bytes = field(default=b"", repr=False)
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    depth: int | None = None
    error: str | None = None
    requested_url: str | None = None  # before redirects; its frontier entry is settled with this page
    unchanged_per_sitemap: bool = False  # not requested: the sitemap dates its last change before our fetch


@dataclass(frozen=True)
class Tag:
    application: str
    score: float
    evidence: str
    signal: str


@dataclass(frozen=True)
class TRLRecord:
    level: int
    cue: str
    confidence: float


@dataclass(frozen=True)
class ProcessedPage:
    page_id: int
    title: str
    text: str
    language: str | None
    body_hash: str
    tags: tuple[Tag, ...] = ()
    trl: TRLRecord | None = None
    role: str | None = None
    role_evidence: str | None = None
    regulatory: tuple[dict[str, Any], ...] = ()  # {authority, status, market, evidence}
    europe_entry: tuple[dict[str, Any], ...] = ()  # {signal, evidence}
    text_organisation: str | None = None  # read from the page itself
    text_country: str | None = None
    language_variants: dict[str, str] = field(default_factory=dict)  # hreflang → URL


@dataclass(frozen=True)
class PendingBody:
    page_id: int
    url: str
    content_type: str | None
    body: bytes
    encoding: str | None
    body_hash: str
    content_hash: str | None = None  # of the text extracted from the previous body, if any


@dataclass
class PageView:
    """A page with everything the store knows about it, for display and indexing."""

    id: int
    url: str
    final_url: str
    title: str
    text: str
    language: str | None
    fetched_at: str
    first_seen_at: str
    last_changed_at: str
    http_status: int
    content_type: str | None
    content_hash: str | None
    organisation_id: str | None
    organisation: str | None
    country: str | None
    organisation_type: str | None
    market: str | None
    tags: list[Tag] = field(default_factory=list)
    trl: TRLRecord | None = None
    role: str | None = None
    role_evidence: str | None = None
    regulatory: list[dict[str, Any]] = field(default_factory=list)
    europe_entry: list[dict[str, Any]] = field(default_factory=list)
    gone_at: str | None = None
    duplicate_of: int | None = None
    aliases: list[str] = field(default_factory=list)  # other URLs with the same text


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> "Store":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        store = cls(connection, path)
        store.migrate()
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- schema -----------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        migrations = sorted(
            (entry for entry in resources.files("store.migrations").iterdir() if entry.name.endswith(".sql")),
            key=lambda entry: entry.name,
        )
        for entry in migrations:
            version = int(entry.name.split("_", 1)[0])
            if version <= self.schema_version:
                continue
            log.info("migrating store %s to schema version %d", self.path, version)
            with self.transaction() as db:
                for statement in _statements(entry.read_text(encoding="utf-8")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version}")

    # -- organisations ----------------------------------------------------------

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

    # -- crawl runs -------------------------------------------------------------

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

    def last_crawl_run(self) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        return _run_dict(row) if row else None

    # -- pages ------------------------------------------------------------------

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
            self._count(db, run_id, page.organisation_id, "fetched", outcome,
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

    # -- coverage (read-only) -------------------------------------------------------

    def organisations(self) -> list[dict[str, Any]]:
        return [_organisation_dict(row) for row in self._db.execute("SELECT * FROM organisations ORDER BY id")]

    def current_page_counts(self) -> dict[str, int]:
        """Pages per organisation id, leaving out pages that have gone (404/410 twice in a row)."""
        rows = self._db.execute(
            """SELECT organisation_id, COUNT(*) AS pages FROM pages
               WHERE gone_at IS NULL AND organisation_id IS NOT NULL GROUP BY organisation_id"""
        )
        return {row["organisation_id"]: row["pages"] for row in rows}

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

    def pending_bodies(self) -> Iterator[PendingBody]:
        """Pages whose stored body has not been processed yet (new or changed since last processing)."""
        page_ids = [row[0] for row in self._db.execute(
            """SELECT id FROM pages
               WHERE processed_body_hash IS NULL OR processed_body_hash != body_hash
               ORDER BY id"""
        )]
        for page_id in page_ids:  # one body in memory at a time
            row = self._db.execute(
                """SELECT p.id, p.url, p.content_type, p.body_hash, p.content_hash, b.body, b.encoding
                   FROM pages p JOIN page_bodies b ON b.page_id = p.id WHERE p.id = ?""",
                (page_id,),
            ).fetchone()
            if row is not None:
                yield PendingBody(row["id"], row["url"], row["content_type"], zlib.decompress(row["body"]),
                                  row["encoding"], row["body_hash"], row["content_hash"])

    def save_processed(self, processed: ProcessedPage) -> None:
        """Store the analysis of a page's current body; last_changed_at moves only when its text changed."""
        content_hash = sha256_hex(processed.text)
        now = utc_now()
        with self.transaction() as db:
            db.execute(
                """UPDATE pages SET last_changed_at = ?
                   WHERE id = ? AND content_hash IS NOT NULL AND content_hash != ?""",
                (now, processed.page_id, content_hash),
            )
            db.execute(
                """UPDATE pages SET title = ?, text = ?, content_hash = ?, language = ?,
                     processed_body_hash = ?, processed_at = ?, role = ?, role_evidence = ?, regulatory = ?,
                     europe_entry = ?, text_organisation = ?, text_country = ?, language_variants = ?,
                     simhash = NULL WHERE id = ?""",
                (processed.title, processed.text, content_hash, processed.language, processed.body_hash,
                 now, processed.role, processed.role_evidence, json.dumps(list(processed.regulatory)),
                 json.dumps(list(processed.europe_entry)), processed.text_organisation, processed.text_country,
                 json.dumps(processed.language_variants), processed.page_id),
            )
            db.execute("DELETE FROM tags WHERE page_id = ?", (processed.page_id,))
            db.executemany(
                "INSERT INTO tags (page_id, application, score, evidence, signal) VALUES (?, ?, ?, ?, ?)",
                [(processed.page_id, t.application, t.score, t.evidence, t.signal) for t in processed.tags],
            )
            db.execute("DELETE FROM trl WHERE page_id = ?", (processed.page_id,))
            if processed.trl is not None:
                db.execute(
                    "INSERT INTO trl (page_id, level, cue, confidence) VALUES (?, ?, ?, ?)",
                    (processed.page_id, processed.trl.level, processed.trl.cue, processed.trl.confidence),
                )

    # -- near-duplicates ----------------------------------------------------------

    def texts_without_simhash(self) -> list[tuple[int, str]]:
        rows = self._db.execute("SELECT id, text FROM pages WHERE processed_at IS NOT NULL AND simhash IS NULL")
        return [(row["id"], row["text"] or "") for row in rows]

    def save_simhashes(self, hashes: Mapping[int, int | None]) -> None:
        # "" marks a text too short to hash, so it is not hashed again on every run.
        with self.transaction() as db:
            db.executemany("UPDATE pages SET simhash = ? WHERE id = ?",
                           [(format(value, "016x") if value is not None else "", page_id)
                            for page_id, value in hashes.items()])

    def simhashes(self) -> list[tuple[int, int]]:
        """(page_id, simhash) of current pages, in the order they were first seen."""
        rows = self._db.execute(
            "SELECT id, simhash FROM pages WHERE simhash != '' AND gone_at IS NULL ORDER BY first_seen_at, id")
        return [(row["id"], int(row["simhash"], 16)) for row in rows]

    def language_variant_links(self) -> list[tuple[int, str | None, dict[str, str]]]:
        """(page_id, language, {hreflang: url}) of current pages that declare language versions."""
        rows = self._db.execute(
            "SELECT id, language, language_variants FROM pages WHERE language_variants != '{}' AND gone_at IS NULL")
        return [(row["id"], row["language"], json.loads(row["language_variants"])) for row in rows]

    def page_ids_by_url(self, urls: Iterable[str]) -> dict[str, int]:
        """Current pages known under these URLs (as requested or as finally served)."""
        found: dict[str, int] = {}
        for url in set(urls):
            row = self._db.execute(
                "SELECT id FROM pages WHERE (url = ? OR final_url = ?) AND gone_at IS NULL", (url, url)).fetchone()
            if row is not None:
                found[url] = row["id"]
        return found

    def set_duplicates(self, duplicate_of: Mapping[int, int]) -> None:
        with self.transaction() as db:
            current = dict(db.execute("SELECT id, duplicate_of FROM pages WHERE duplicate_of IS NOT NULL").fetchall())
            changes = [(duplicate_of.get(page_id), page_id) for page_id in set(current) | set(duplicate_of)
                       if current.get(page_id) != duplicate_of.get(page_id)]
            db.executemany("UPDATE pages SET duplicate_of = ? WHERE id = ?", changes)

    def settle_boilerplate_change(self, page_id: int, body_hash: str) -> None:
        """The body changed but its main text did not (a new menu, a date in the footer).

        Its analysis stands, and the crawl that fetched it counts it unchanged rather than changed.
        """
        with self.transaction() as db:
            row = db.execute("SELECT crawl_run_id, organisation_id FROM pages WHERE id = ?", (page_id,)).fetchone()
            db.execute("UPDATE pages SET processed_body_hash = ?, processed_at = ? WHERE id = ?",
                       (body_hash, utc_now(), page_id))
            if row is None or row["crawl_run_id"] is None:
                return
            db.execute("UPDATE crawl_runs SET changed = changed - 1, unchanged = unchanged + 1 "
                       "WHERE id = ? AND changed > 0", (row["crawl_run_id"],))
            db.execute("UPDATE crawl_run_organisations SET changed = changed - 1, unchanged = unchanged + 1 "
                       "WHERE run_id = ? AND organisation_id = ? AND changed > 0",
                       (row["crawl_run_id"], row["organisation_id"] or ""))

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
            views[row["page_id"]].tags.append(Tag(row["application"], row["score"], row["evidence"], row["signal"]))
        for row in self._db.execute(f"SELECT * FROM trl WHERE page_id IN ({placeholders})", page_ids):
            views[row["page_id"]].trl = TRLRecord(row["level"], row["cue"], row["confidence"])
        for row in self._db.execute(
            f"SELECT duplicate_of, final_url FROM pages WHERE duplicate_of IN ({placeholders}) ORDER BY final_url",
            page_ids,
        ):
            views[row["duplicate_of"]].aliases.append(row["final_url"])
        return [views[page_id] for page_id in page_ids if page_id in views]

    def page_id_for_url(self, url: str) -> int | None:
        row = self._db.execute("SELECT id FROM pages WHERE url = ? OR final_url = ?", (url, url)).fetchone()
        return row["id"] if row else None

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

    # -- statistics ---------------------------------------------------------------

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


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (migrations hold no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def _organisation_dict(row: sqlite3.Row) -> dict[str, Any]:
    org = dict(row)
    org["languages"] = json.loads(org["languages"])
    return org


def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
    run = dict(row)
    run["targets"] = json.loads(run["targets"])
    return run


def _page_view(row: sqlite3.Row) -> PageView:
    return PageView(
        id=row["id"], url=row["url"], final_url=row["final_url"], title=row["title"] or "", text=row["text"] or "",
        language=row["language"], fetched_at=row["fetched_at"], first_seen_at=row["first_seen_at"],
        last_changed_at=row["last_changed_at"], http_status=row["http_status"], content_type=row["content_type"],
        content_hash=row["content_hash"], organisation_id=row["organisation_id"], organisation=row["organisation"],
        country=row["country"], organisation_type=row["organisation_type"], market=row["market"],
        role=row["role"], role_evidence=row["role_evidence"], regulatory=json.loads(row["regulatory"]),
        europe_entry=json.loads(row["europe_entry"]), gone_at=row["gone_at"], duplicate_of=row["duplicate_of"],
    )
