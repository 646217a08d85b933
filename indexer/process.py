"""`scout process`: turn stored bodies into text, language, application tags and a TRL estimate."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from indexer.analysis import TextAnalyser
from indexer.extract import ExtractionError, extract
from indexer.language import detect_language
from store import PendingBody, ProcessedPage, Store, Tag, TRLRecord

log = logging.getLogger(__name__)


@dataclass
class ProcessReport:
    processed: int = 0
    tagged: int = 0
    failed: int = 0


class PageProcessor:
    """Holds the analyser so the tagger's matchers are built once per process."""

    def __init__(self, analyser: TextAnalyser | None = None):
        self.analyser = analyser or TextAnalyser()

    def process(self, pending: PendingBody) -> ProcessedPage:
        extracted = extract(pending.body, pending.content_type, pending.encoding, pending.url)
        language = detect_language(extracted.text)
        titled_text = f"{extracted.title}\n\n{extracted.text}" if extracted.title else extracted.text
        analysis = self.analyser.analyse(titled_text, language)
        return ProcessedPage(
            page_id=pending.page_id,
            title=extracted.title,
            text=extracted.text,
            language=language,
            body_hash=pending.body_hash,
            tags=tuple(Tag(t.application, t.score, t.evidence, t.signal) for t in analysis.applications),
            trl=None if analysis.trl is None else TRLRecord(analysis.trl.level, analysis.trl.cue,
                                                            analysis.trl.confidence),
        )


def process_pending(store: Store, processor: PageProcessor | None = None) -> ProcessReport:
    """Process every page fetched or changed since it was last processed."""
    processor = processor or PageProcessor()
    report = ProcessReport()
    for pending in store.pending_bodies():
        try:
            processed = processor.process(pending)
        except ExtractionError as exc:
            log.warning("cannot extract %s: %s", pending.url, exc)
            store.save_processed(ProcessedPage(pending.page_id, "", "", None, pending.body_hash))
            report.failed += 1
            continue
        store.save_processed(processed)
        report.processed += 1
        report.tagged += bool(processed.tags)
    return report
