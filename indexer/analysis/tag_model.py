"""Which applications a page is about: every signal weighed by a model learnt on eval/train.jsonl.

The tagger's vocabulary (terms and acronyms, indexer/analysis/tagger.py) is precise but misses what it
has no words for: paraphrases and most text outside English. So each application is a candidate on
every page, with these signals:
- its term and weak-term scores and whether terms or acronyms named it (the tagger's lexical signal);
- the best calibrated MiniLM similarity of one of the page's sentences to its description (English);
- the similarity of the page's opening to its description, and to the centroid of the labelled train
  passages about it (a learnt prototype: "pages like those about OCT"), with the application's rank
  among all 35 on each;
- whether the page is about health (most applications need that) and its script.
One logistic model over these application-independent signals gives each candidate a probability. A
second one, over page-level signals (the best candidates' probabilities, how much health and photonics
vocabulary the page holds, how close it comes to pages about no application), gives the probability
that the page is about any application at all: most pages scouts' crawls meet are not. An application
is tagged when both reach the thresholds chosen by cross-validation on train (at most 10% of the pages
about none tagged) and it is not dwarfed by the page's main application. The evidence is the sentence that names it (a term or
acronym), else the sentence closest to it in meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from indexer.analysis.semantic import ApplicationSpace, SemanticMatch
from indexer.analysis.tagger import MIN_HEALTH_HITS, ApplicationTag, LexicalEvidence

MODEL_FILE = "tagging.json"
GENERIC = frozenset({"A05", "A22", "A27"})  # generic technologies: tagged outside health too
RESIDUAL = "A35"
# A second application must reach this share of the first one's probability (a page about OCT that
# mentions endoscopes once is not about endoscopy).
RELATIVE_SHARE = 0.3


@dataclass(frozen=True)
class PageSignals:
    """What the analysis read from one page, before any application is decided."""

    lexical: LexicalEvidence
    semantic: dict[str, SemanticMatch] | None
    opening: np.ndarray  # MiniLM vector of the page's opening
    language: str | None


def candidate_features(page: PageSignals, space: ApplicationSpace, centroids: np.ndarray,
                       application_ids: Sequence[str]) -> np.ndarray:
    """One row of signals per application, in the order of ``application_ids``.

    ``centroids`` has one row per application and a last row for passages about none of them."""
    opening = page.opening / max(float(np.linalg.norm(page.opening)), 1e-9)
    opening_z = space.calibrated(opening[None, :])[0]
    similarities = centroids @ opening
    centroid_similarity, none_similarity = similarities[:-1], float(similarities[-1])
    opening_rank = _ranks(opening_z)
    centroid_rank = _ranks(centroid_similarity)
    term_scores = np.array([page.lexical.scores.get(app, 0.0) for app in application_ids])
    term_rank = _ranks(term_scores)
    english = float(page.language == "en")
    cjk = float(page.language in ("ja", "ko", "zh"))
    health = float(page.lexical.health_words >= MIN_HEALTH_HITS)
    health_words = np.log1p(page.lexical.health_words)
    photonics_words = np.log1p(page.lexical.photonics_words)
    rows = []
    for index, app in enumerate(application_ids):
        signals = page.lexical.signals.get(app, "")
        match = (page.semantic or {}).get(app)
        rows.append([
            term_scores[index],
            page.lexical.weak_scores.get(app, 0.0),
            float("term" in signals),
            float("acronym" in signals),
            float(app in page.lexical.eligible),
            match.z if match else 0.0,
            float(match is not None),
            opening_z[index],
            float(opening_rank[index] == 0),
            float(opening_rank[index] < 3),
            centroid_similarity[index],
            centroid_similarity[index] - none_similarity,
            float(centroid_rank[index] == 0),
            float(centroid_rank[index] < 3),
            float(term_rank[index] == 0 and term_scores[index] > 0),
            english,
            cjk,
            health,
            health_words,
            photonics_words,
            float(app in GENERIC),
            float(app == RESIDUAL),
        ])
    return np.array(rows, dtype=np.float64)


def page_features(page: PageSignals, centroids: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Signals that a page is about some application at all (for the gate)."""
    opening = page.opening / max(float(np.linalg.norm(page.opening)), 1e-9)
    similarities = centroids @ opening
    ranked = np.sort(probabilities)[::-1]
    return np.array([
        ranked[0], ranked[1], max(page.lexical.scores.values(), default=0.0),
        float(any(page.lexical.signals.values())), np.log1p(page.lexical.health_words),
        np.log1p(page.lexical.photonics_words), float(similarities[-1]), float(similarities[:-1].max()),
        float(page.language == "en"), float(page.language in ("ja", "ko", "zh")),
    ])


PAGE_FEATURES = ("best", "second", "best_term_score", "named", "health_words", "photonics_words",
                 "none_similarity", "best_centroid_similarity", "english", "cjk")
FEATURES = ("term_score", "weak_score", "term", "acronym", "eligible", "sentence_z", "sentence_read",
            "opening_z", "opening_top1", "opening_top3", "centroid_similarity", "centroid_margin", "centroid_top1",
            "centroid_top3", "term_top1", "english", "cjk", "health", "health_words", "photonics_words", "generic",
            "residual")


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=int)
    ranks[order] = np.arange(len(values))
    return ranks


class TaggingModel:
    """The learnt weights, the train centroids and the threshold, from indexer/analysis/models/tagging.json."""

    def __init__(self, spec: dict):
        self.version: str = spec["version"]
        self.application_ids: list[str] = spec["applications"]
        self.centroids = np.asarray(spec["centroids"], dtype=np.float64)
        self.mean = np.asarray(spec["mean"], dtype=np.float64)
        self.scale = np.asarray(spec["scale"], dtype=np.float64)
        self.coef = np.asarray(spec["coef"], dtype=np.float64)
        self.intercept = float(spec["intercept"])
        self.threshold = float(spec["threshold"])
        gate = spec["gate"]
        self.gate_mean = np.asarray(gate["mean"], dtype=np.float64)
        self.gate_scale = np.asarray(gate["scale"], dtype=np.float64)
        self.gate_coef = np.asarray(gate["coef"], dtype=np.float64)
        self.gate_intercept = float(gate["intercept"])
        self.gate_threshold = float(gate["threshold"])

    @classmethod
    def load(cls, path: Path | None = None) -> "TaggingModel":
        source = path or resources.files("indexer.analysis") / "models" / MODEL_FILE
        return cls(json.loads(source.read_text(encoding="utf-8")))

    def probabilities(self, page: PageSignals, space: ApplicationSpace) -> np.ndarray:
        if page.opening.shape[-1] != self.centroids.shape[1]:
            raise ValueError(f"the tagging model was learnt on {self.centroids.shape[1]}-dimensional MiniLM vectors; "
                             f"this encoder gives {page.opening.shape[-1]}")
        x = (candidate_features(page, space, self.centroids, self.application_ids) - self.mean) / self.scale
        return 1 / (1 + np.exp(-(x @ self.coef + self.intercept)))

    def about_any(self, page: PageSignals, probabilities: np.ndarray) -> float:
        x = (page_features(page, self.centroids, probabilities) - self.gate_mean) / self.gate_scale
        return float(1 / (1 + np.exp(-(x @ self.gate_coef + self.gate_intercept))))

    def decide(self, page: PageSignals, space: ApplicationSpace) -> list[ApplicationTag]:
        if not page.lexical.sentences:
            return []
        probabilities = self.probabilities(page, space)
        if self.about_any(page, probabilities) < self.gate_threshold:
            return []
        top = float(max((p for app, p in zip(self.application_ids, probabilities) if app in page.lexical.eligible),
                        default=0.0))
        tags = []
        for app, probability in zip(self.application_ids, probabilities):
            # Outside health (no health vocabulary) only the generic technologies count, whatever the likeness.
            if app not in page.lexical.eligible:
                continue
            if probability < self.threshold or probability < RELATIVE_SHARE * top:
                continue
            evidence, signal = _evidence(page, app)
            tags.append(ApplicationTag(application=app, score=round(float(probability), 4), evidence=evidence,
                                       signal=signal))
        return sorted(tags, key=lambda t: (-t.score, t.application))


def _evidence(page: PageSignals, app: str) -> tuple[str, str]:
    """The sentence that names the application, else the one closest to it in meaning, else the opening's
    first sentence (a page tagged by its overall likeness to pages about the application)."""
    match = (page.semantic or {}).get(app)
    if app in page.lexical.evidence and page.lexical.signals.get(app):
        signal = page.lexical.signals[app]
        return page.lexical.evidence[app], signal + ("+embedding" if match and match.z > 2 else "")
    if match is not None:
        return match.sentence, "embedding"
    return page.lexical.sentences[0], "likeness"


@lru_cache(maxsize=1)
def default_tagging_model() -> TaggingModel:
    return TaggingModel.load()
