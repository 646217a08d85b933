"""Text → language, application tags, TRL, role, organisation, country, regulatory status and
Europe-entry signals: the one analysis that pages, `scout tag` and `scout eval` share.

Texts are analysed in batches so that the embedding model reads the chosen sentences of many pages
in one call: MiniLM is much faster per sentence in large batches than page by page.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from indexer.analysis.language import detect_language
from indexer.analysis.maturity import MaturityJudgement, MaturityModel, default_model, opening, read_evidence
from indexer.analysis.organisation import Identified, identify_organisation
from indexer.analysis.regulatory import EuropeEntryFinding, RegulatoryFinding, default_reader
from indexer.analysis.roles import RoleAssignment, assign_role
from indexer.analysis.semantic import ApplicationSpace
from indexer.analysis.sentences import split_sentences
from indexer.analysis.tag_model import PageSignals, TaggingModel, default_tagging_model
from indexer.analysis.tagger import (DEFAULT_EMBEDDING_POLICY, ApplicationTag, EmbeddingPolicy, LexicalEvidence,
                                     Tagger)
from indexer.analysis.trl import TRLEstimate

EMBEDDING_LANGUAGE = "en"
# A sentence's opening words carry its topic; MiniLM's cost grows with length, so longer sentences are cut.
EMBEDDED_WORDS = 32


@dataclass(frozen=True)
class KnownOrganisation:
    """What the registry says about the organisation a text comes from; its values win over the text's."""

    name: str | None = None
    country: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class LexicalReading:
    """Texts as `TextAnalyser.read_lexical` left them for the embedding model."""

    texts: list[str]
    languages: list[str | None]
    lexical: list[LexicalEvidence]


@dataclass(frozen=True)
class Analysis:
    language: str | None
    applications: tuple[ApplicationTag, ...]
    trl: TRLEstimate | None
    role: RoleAssignment | None = None
    organisation: Identified | None = None
    country: Identified | None = None
    regulatory: tuple[RegulatoryFinding, ...] = ()
    europe_entry: tuple[EuropeEntryFinding, ...] = ()
    genre: str | None = None
    lists_others: bool = False  # a directory or listing: its tags are what the organisations it lists do

    def as_dict(self) -> dict:
        return {
            "language": self.language,
            "applications": [
                {"id": tag.application, "score": round(tag.score, 4), "evidence": tag.evidence, "signal": tag.signal}
                for tag in self.applications
            ],
            "trl": None if self.trl is None else {
                "level": self.trl.level, "cue": self.trl.cue, "confidence": round(self.trl.confidence, 4),
                "runner_up": self.trl.runner_up,
            },
            "genre": self.genre,
            "lists_others": self.lists_others,
            "role": None if self.role is None else {
                "role": self.role.role, "evidence": self.role.evidence, "confidence": self.role.confidence,
            },
            "organisation": None if self.organisation is None else self.organisation.as_dict("name"),
            "country": None if self.country is None else self.country.as_dict("code"),
            "regulatory": [finding.as_dict() for finding in self.regulatory],
            "europe_entry": [finding.as_dict() for finding in self.europe_entry],
        }


def _default_encoder(sentences: list[str]) -> np.ndarray:
    from indexer.analysis.embedding_model import embed  # loads torch only when embeddings are wanted

    return embed(sentences)


class TextAnalyser:
    """Builds the tagger (and, on first use, the embedding model) once; analyse as many texts as you like.

    ``stage_seconds`` adds up the time spent per stage, for benchmarks.
    """

    def __init__(self, tagger: Tagger | None = None, *, use_embeddings: bool = True,
                 encode: Callable[[list[str]], np.ndarray] | None = None,
                 policy: EmbeddingPolicy = DEFAULT_EMBEDDING_POLICY, maturity: MaturityModel | None = None,
                 tagging: TaggingModel | None = None):
        self.tagger = tagger or Tagger.from_taxonomy()
        self._maturity = maturity
        self._tagging = tagging
        self.use_embeddings = use_embeddings
        self.policy = policy
        self._encode = encode or _default_encoder
        self._space: ApplicationSpace | None = None
        self.stage_seconds: Counter = Counter()

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.stage_seconds[name] += time.perf_counter() - started

    def _embed(self, reading: LexicalReading) -> tuple[list[dict | None], np.ndarray]:
        """One batch for all texts: per text, each application's best calibrated similarity (when the
        embedding signal is on), and the vector of its opening for the maturity model.

        Only English sentences support tags: MiniLM (all-MiniLM-L6-v2) was trained on English, and on
        other languages its similarities say little (measured on the dev set: gold applications of
        German, French, Korean and Japanese passages score near the background)."""
        space = self.space
        chosen = [[evidence.sentences[i] for i in evidence.relevant]
                  if self.use_embeddings and language == EMBEDDING_LANGUAGE else []
                  for evidence, language in zip(reading.lexical, reading.languages)]
        flat = [" ".join(sentence.split()[:EMBEDDED_WORDS]) for sentences in chosen for sentence in sentences]
        vectors = self._encode(flat + [opening(text) for text in reading.texts])
        matches, offset = [], 0
        for sentences in chosen:
            matches.append(space.best_matches(sentences, vectors[offset: offset + len(sentences)])
                           if sentences else None)
            offset += len(sentences)
        return matches, vectors[offset:]

    @property
    def maturity(self) -> MaturityModel:
        if self._maturity is None:
            self._maturity = default_model()
        return self._maturity

    @property
    def tagging(self) -> TaggingModel:
        if self._tagging is None:
            self._tagging = default_tagging_model()
        return self._tagging

    @property
    def space(self) -> ApplicationSpace:
        """The applications' MiniLM prototypes, embedded on first use."""
        if self._space is None:
            self._space = ApplicationSpace(self.tagger.applications, self._encode)
        return self._space

    def read_lexical(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> LexicalReading:
        """The first, pure-Python half of `read`: languages (detected where None), sentences and terms."""
        languages = list(languages) if languages is not None else [None] * len(texts)
        with self._stage("language"):
            languages = [language or detect_language(text) for text, language in zip(texts, languages)]
        with self._stage("sentences"):
            sentences = [split_sentences(text, language) for text, language in zip(texts, languages)]
        with self._stage("terms"):
            lexical = [self.tagger.lexical(s, text) for s, text in zip(sentences, texts)]
        return LexicalReading(list(texts), languages, lexical)

    def embed(self, reading: LexicalReading) -> list[PageSignals]:
        """The second half of `read`: MiniLM, which releases the GIL, so it may run beside the first half
        of the next batch. The same readings always make the same call, so the vectors do not depend on
        what runs beside it (MiniLM's floats do depend on which texts share a call)."""
        with self._stage("embedding"):
            semantic, openings = self._embed(reading)
        return [PageSignals(evidence, matches, vector, language) for evidence, matches, vector, language
                in zip(reading.lexical, semantic, openings, reading.languages)]

    def read(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[PageSignals]:
        """What the analysis reads from texts before deciding anything (languages detected where None)."""
        return self.embed(self.read_lexical(texts, languages))

    def analyse(self, text: str, language: str | None = None, known: KnownOrganisation | None = None) -> Analysis:
        return self.analyse_many([text], [language], [known])[0]

    def analyse_many(self, texts: Sequence[str], languages: Sequence[str | None] | None = None,
                     known: Sequence[KnownOrganisation | None] | None = None) -> list[Analysis]:
        """Analyse texts together (languages detected where None); results in the same order."""
        return self.decide(texts, self.read(texts, languages), known)

    def decide(self, texts: Sequence[str], pages: Sequence[PageSignals],
               known: Sequence[KnownOrganisation | None] | None = None) -> list[Analysis]:
        """The analyses of texts from what `read` found in them; results in the same order."""
        known = list(known) if known is not None else [None] * len(texts)
        analyses = []
        for text, page, org in zip(texts, pages, known):
            org = org or KnownOrganisation()
            page_sentences, language, vector = page.lexical.sentences, page.language, page.opening
            with self._stage("terms"):
                applications = tuple(self.tagging.decide(page, self.space)) if page_sentences else ()
            with self._stage("role, organisation, regulatory"):
                role = assign_role(page_sentences, org.type)
                organisation, country = identify_organisation(text, org.name, org.country)
                regulatory, europe_entry = default_reader().read(page_sentences)
            with self._stage("trl"):
                judgement = self.maturity.judge(read_evidence(page_sentences, regulatory, language, vector))
            analyses.append(Analysis(
                language=language, applications=applications, trl=_readiness(judgement, applications), role=role,
                organisation=organisation, country=country, regulatory=tuple(regulatory),
                europe_entry=tuple(europe_entry), genre=judgement.genre, lists_others=judgement.lists_others,
            ))
        return analyses


def _readiness(judgement: MaturityJudgement, applications: tuple[ApplicationTag, ...]) -> TRLEstimate | None:
    """A readiness level belongs to a technology. A page the tagger recognised no application on still
    gets one when its genre describes a technology (a product, a study, a notice, an article, news):
    tagging misses paraphrases, and a level missing for that reason would hide a real page from TRL
    filters. Contact, event and listing pages get none without a recognised application (a "clinical
    trial unit" on a contact page is noise); a listing never has one of its own; below the
    abstention threshold, none."""
    if judgement.level is None:
        return None
    if not applications and judgement.genre in ("about", "event", "directory"):
        return None
    return TRLEstimate(judgement.level, judgement.cue, judgement.confidence, judgement.runner_up)


def describe(analysis: Analysis) -> str:
    """The analysis for people: every output with the sentence that supports it."""
    from taxonomy import APPLICATIONS

    lines = [] if analysis.applications else ["applications: none"]
    for tag in analysis.applications:
        lines += [f"{tag.application} {APPLICATIONS[tag.application].name}  score {tag.score:.2f} ({tag.signal})",
                  f"    evidence: {tag.evidence}"]
    if analysis.trl is None:
        lines.append("TRL: unknown (no application recognised, a listing of others, or too little evidence)")
    else:
        runner_up = f", runner-up {analysis.trl.runner_up}" if analysis.trl.runner_up else ""
        lines += [f"TRL {analysis.trl.level} (confidence {analysis.trl.confidence:.2f}{runner_up})",
                  f"    cue: {analysis.trl.cue}"]
    if analysis.genre:
        lines.append(f"genre: {analysis.genre}" + (" (lists other organisations)" if analysis.lists_others else ""))
    if analysis.role is None:
        lines.append("role: unknown")
    else:
        lines += [f"role: {analysis.role.role} (confidence {analysis.role.confidence:.2f})",
                  f"    evidence: {analysis.role.evidence}"]
    for label, found in (("organisation", analysis.organisation), ("country", analysis.country)):
        lines += [f"{label}: unknown"] if found is None else [f"{label}: {found.value} ({found.source})",
                                                              f"    evidence: {found.evidence}"]
    for finding in analysis.regulatory:
        pathway = f" {finding.pathway}" if finding.pathway else ""
        lines += [f"regulatory: {finding.authority}{pathway} {finding.status} ({finding.market})",
                  f"    evidence: {finding.evidence}"]
    for finding in analysis.europe_entry:
        lines += [f"Europe entry: {finding.signal}", f"    evidence: {finding.evidence}"]
    return "\n".join(lines)
