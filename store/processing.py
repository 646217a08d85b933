"""The analysis queue: bodies waiting to be analysed, their analysis, near-duplicates and language versions."""

from __future__ import annotations

import json
import zlib
from typing import Iterator, Mapping

from store.connection import StoreConnection
from store.records import PendingBody, ProcessedPage, sha256_hex, utc_now


class ProcessingQueue(StoreConnection):
    def pending_bodies(self, analysis_version: str | None = None, everything: bool = False) -> Iterator[PendingBody]:
        """Pages whose stored body has not been analysed yet (new or changed since), and, given the current
        analysis version, pages an older version analysed (their body unchanged, flagged outdated_analysis);
        with `everything`, every analysed page with text, whatever version made it."""
        if everything:
            outdated, parameters = "OR (processed_at IS NOT NULL AND text != '')", ()
        elif analysis_version:
            outdated = "OR (processed_at IS NOT NULL AND text != '' AND COALESCE(analysis_version, '') != ?)"
            parameters = (analysis_version,)
        else:
            outdated, parameters = "", ()
        page_ids = [row[0] for row in self._db.execute(
            f"""SELECT id FROM pages
                WHERE processed_body_hash IS NULL OR processed_body_hash != body_hash {outdated}
                ORDER BY id""",
            parameters,
        )]
        for page_id in page_ids:  # one body in memory at a time
            row = self._db.execute(
                """SELECT p.id, p.url, p.content_type, p.body_hash, p.content_hash, p.processed_body_hash,
                          b.body, b.encoding
                   FROM pages p JOIN page_bodies b ON b.page_id = p.id WHERE p.id = ?""",
                (page_id,),
            ).fetchone()
            if row is not None:
                yield PendingBody(row["id"], row["url"], row["content_type"], zlib.decompress(row["body"]),
                                  row["encoding"], row["body_hash"], row["content_hash"],
                                  outdated_analysis=row["processed_body_hash"] == row["body_hash"])

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
                     genre = ?, analysis_version = ?, published_date = ?, modified_date = ?,
                     simhash = NULL, indexed_content_hash = NULL
                   WHERE id = ?""",
                (processed.title, processed.text, content_hash, processed.language, processed.body_hash,
                 now, processed.role, processed.role_evidence, json.dumps(list(processed.regulatory)),
                 json.dumps(list(processed.europe_entry)), processed.text_organisation, processed.text_country,
                 json.dumps(processed.language_variants), processed.genre, processed.analysis_version,
                 processed.published_date, processed.modified_date, processed.page_id),
            )
            db.execute("DELETE FROM tags WHERE page_id = ?", (processed.page_id,))
            db.executemany(
                "INSERT INTO tags (page_id, application, score, evidence, signal, mention) VALUES (?, ?, ?, ?, ?, ?)",
                [(processed.page_id, t.application, t.score, t.evidence, t.signal, int(t.mention))
                 for t in processed.tags],
            )
            db.execute("DELETE FROM trl WHERE page_id = ?", (processed.page_id,))
            if processed.trl is not None:
                db.execute(
                    "INSERT INTO trl (page_id, level, cue, confidence, runner_up) VALUES (?, ?, ?, ?, ?)",
                    (processed.page_id, processed.trl.level, processed.trl.cue, processed.trl.confidence,
                     processed.trl.runner_up),
                )

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

    def set_duplicates(self, duplicate_of: Mapping[int, int]) -> None:
        with self.transaction() as db:
            current = dict(db.execute("SELECT id, duplicate_of FROM pages WHERE duplicate_of IS NOT NULL").fetchall())
            changes = [(duplicate_of.get(page_id), page_id) for page_id in set(current) | set(duplicate_of)
                       if current.get(page_id) != duplicate_of.get(page_id)]
            db.executemany("UPDATE pages SET duplicate_of = ? WHERE id = ?", changes)
