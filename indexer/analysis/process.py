"""`scout process`: turn stored bodies into text, language, application tags, TRL, role, regulatory status
and Europe-entry signals.

Pages are analysed in batches so that the embedding model reads many pages' sentences in one call. The
embedding model (torch, which releases the GIL) reads one batch in a worker thread while this thread
extracts and reads the next batch and decides and stores the previous one: on two cores the two halves
overlap. Only this thread touches the store, and batches are stored whole and in order.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

from indexer.analysis.analyser import KnownOrganisation, LexicalReading, PageSignals, TextAnalyser
from indexer.analysis.extract import Extracted, ExtractionError, extract
from indexer.analysis.organisation import Identified
from indexer.analysis.language import detect_language
from indexer.analysis.version import analysis_version
from store import PendingBody, ProcessedPage, Store, Tag, TRLRecord, sha256_hex

log = logging.getLogger(__name__)

BATCH_PAGES = 32


@dataclass
class ProcessReport:
    processed: int = 0
    tagged: int = 0
    failed: int = 0
    boilerplate_only: int = 0  # bodies that changed around an unchanged main text: not analysed again
    reanalysed: int = 0  # unchanged pages analysed again because the analysis changed


def _batches(items: Iterable[PendingBody], size: int) -> Iterator[list[PendingBody]]:
    batch: list[PendingBody] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class PageProcessor:
    """Holds the analyser so the tagger's matchers and the embedding model are built once per process."""

    def __init__(self, analyser: TextAnalyser | None = None):
        self.analyser = analyser or TextAnalyser()

    def read_lexical(self, extracted: list[tuple[PendingBody, Extracted]]) -> LexicalReading:
        """What needs no embedding model: languages, sentences, terms."""
        texts = [f"{page.title}\n\n{page.text}" if page.title else page.text for _, page in extracted]
        return self.analyser.read_lexical(texts, [detect_language(page.text) for _, page in extracted])

    def embed(self, reading: LexicalReading) -> list[PageSignals]:
        return self.analyser.embed(reading)

    def decide(self, extracted: list[tuple[PendingBody, Extracted]], reading: LexicalReading,
               signals: list[PageSignals], known: list[KnownOrganisation | None]) -> list[ProcessedPage]:
        analyses = self.analyser.decide(reading.texts, signals, known)
        return [
            ProcessedPage(
                page_id=pending.page_id,
                title=page.title,
                text=page.text,
                language=language,
                body_hash=pending.body_hash,
                tags=tuple(Tag(t.application, t.score, t.evidence, t.signal, mention=analysis.lists_others)
                           for t in analysis.applications),
                trl=None if analysis.trl is None else TRLRecord(analysis.trl.level, analysis.trl.cue,
                                                                analysis.trl.confidence, analysis.trl.runner_up),
                role=analysis.role.role if analysis.role else None,
                role_evidence=analysis.role.evidence if analysis.role else None,
                regulatory=tuple(finding.as_dict() for finding in analysis.regulatory),
                europe_entry=tuple(finding.as_dict() for finding in analysis.europe_entry),
                text_organisation=_from_text(analysis.organisation),
                text_country=_from_text(analysis.country),
                language_variants=page.language_variants,
                genre=analysis.genre,
                analysis_version=analysis_version(),
                published_date=page.published_date,
                modified_date=page.modified_date,
            )
            for (pending, page), language, analysis in zip(extracted, reading.languages, analyses)
        ]


@dataclass
class _ReadBatch:
    """A batch whose pages are extracted and read, waiting for (or holding) its embeddings."""

    extracted: list[tuple[PendingBody, Extracted]]
    known: list[KnownOrganisation | None]
    outdated: set[int]
    reading: LexicalReading
    signals: Future


def _from_text(found: Identified | None) -> str | None:
    return found.value if found is not None and found.source == "text" else None


def _known_organisation(store: Store, page_id: int) -> KnownOrganisation | None:
    """The registry's name, country and type of the page's organisation (ad-hoc sites have none)."""
    view = store.page(page_id)
    if view is None or not view.organisation_id or not view.organisation_type:  # ad-hoc sites: only a host
        return None
    return KnownOrganisation(name=view.organisation or None, country=view.country or None,
                             type=view.organisation_type or None)


def process_pending(store: Store, processor: PageProcessor | None = None, reanalyse: bool = False) -> ProcessReport:
    """Process every page fetched or changed since it was last processed, and every page an older version
    of the analysis (taxonomy, vocabularies, model, code) made; with `reanalyse`, every page again (for a
    change the version cannot see, such as a trained pipeline installed in the environment).

    An error (or Ctrl+C) stops after the last batch stored whole; the pages of the batch in hand stay
    pending for the next run."""
    processor = processor or PageProcessor()
    report = ProcessReport()
    embedder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scout-embed")
    waiting: _ReadBatch | None = None
    try:
        for batch in _batches(store.pending_bodies(analysis_version(), everything=reanalyse), BATCH_PAGES):
            read = _read_batch(store, processor, batch, report, embedder)
            if waiting is not None:
                _store_batch(store, processor, waiting, report)
            waiting = read
        if waiting is not None:
            _store_batch(store, processor, waiting, report)
    finally:
        # On an error the batch still being embedded is of no use: wait for torch to finish, store nothing.
        embedder.shutdown(wait=True, cancel_futures=True)
    return report


def _read_batch(store: Store, processor: PageProcessor, batch: list[PendingBody], report: ProcessReport,
                embedder: ThreadPoolExecutor) -> _ReadBatch:
    """Extract and read a batch in this thread, and queue its embeddings on the worker."""
    extracted, known = [], []
    for pending in batch:
        try:
            page = extract(pending.body, pending.content_type, pending.encoding, pending.url)
        except ExtractionError as exc:
            log.warning("cannot extract %s: %s", pending.url, exc)
            store.save_processed(ProcessedPage(pending.page_id, "", "", None, pending.body_hash,
                                               analysis_version=analysis_version()))
            report.failed += 1
            continue
        if (not pending.outdated_analysis and pending.content_hash is not None
                and sha256_hex(page.text) == pending.content_hash):
            store.settle_boilerplate_change(pending.page_id, pending.body_hash)
            report.boilerplate_only += 1
            continue
        extracted.append((pending, page))
        known.append(_known_organisation(store, pending.page_id))
    reading = processor.read_lexical(extracted)
    return _ReadBatch(extracted, known, {pending.page_id for pending in batch if pending.outdated_analysis},
                      reading, embedder.submit(processor.embed, reading))


def _store_batch(store: Store, processor: PageProcessor, batch: _ReadBatch, report: ProcessReport) -> None:
    for processed in processor.decide(batch.extracted, batch.reading, batch.signals.result(), batch.known):
        store.save_processed(processed)
        report.processed += 1
        report.reanalysed += processed.page_id in batch.outdated
        report.tagged += bool(processed.tags)
