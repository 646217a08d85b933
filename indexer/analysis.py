"""Text → language, application tags and TRL: the one analysis that pages, `scout tag` and `scout eval` share."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.language import detect_language
from indexer.sentences import split_sentences
from indexer.tagger import ApplicationTag, Tagger
from indexer.trl import TRLEstimate, estimate_trl


@dataclass(frozen=True)
class Analysis:
    language: str | None
    applications: tuple[ApplicationTag, ...]
    trl: TRLEstimate | None

    def as_dict(self) -> dict:
        return {
            "language": self.language,
            "applications": [
                {"id": tag.application, "score": round(tag.score, 4), "evidence": tag.evidence, "signal": tag.signal}
                for tag in self.applications
            ],
            "trl": None if self.trl is None else {
                "level": self.trl.level, "cue": self.trl.cue, "confidence": round(self.trl.confidence, 4),
            },
        }


class TextAnalyser:
    """Builds the tagger once; analyse as many texts as you like with it."""

    def __init__(self, tagger: Tagger | None = None):
        self.tagger = tagger or Tagger.from_taxonomy()

    def analyse(self, text: str, language: str | None = None) -> Analysis:
        language = language or detect_language(text)
        applications = tuple(self.tagger.tag(text, lang=language))
        # A readiness level belongs to a technology: with none recognised, a cue such as "clinical trial unit"
        # on a contact page would only be noise.
        trl = estimate_trl(split_sentences(text, language)) if applications else None
        return Analysis(language=language, applications=applications, trl=trl)
