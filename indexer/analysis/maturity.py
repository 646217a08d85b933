"""Maturity as a judgement over the whole page: its genre, and every piece of evidence weighed together.

The first TRL cue of a page is a poor guide: a product page mentions how its device "was developed",
an abstract motivates its lab work with "clinical" needs. So each page is read for
- its genre (product, regulatory notice, clinical study, research, news, event, directory, about),
  from the genre words of taxonomy/maturity.yaml;
- the TRL cues of taxonomy/trl.yaml, each with its frame: present state, history ("was developed in
  1991"), plans ("will start a trial") or negated ("not yet CE marked"); cues in a research article's
  motivation ("cancer is a leading cause of death") count apart;
- regulatory status per market (granted, pending, planned, negated) and commercial signals (price,
  ordering, distributors, intended-use wording, routine use).
A multinomial logistic model learnt on eval/train.jsonl (indexer/analysis/training.py) weighs
these features into a probability per level. The level is the most probable one; its confidence is the
probability that the true level lies within one of it (the tolerance scouts read a TRL with), which
eval/ checks for calibration; below the abstention threshold chosen on train the page gets no level.
The decisive evidence is still quoted: the sentence that most directly supports the chosen level.
Directory and listing pages describe other organisations: they get no level of their own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from indexer.analysis.phrases import compile_phrases, has_cjk
from indexer.analysis.regulatory import RegulatoryFinding
from indexer.analysis.trl import TRLEstimator, default_estimator

GENRES = ("product", "regulatory", "clinical_study", "research", "news", "event", "directory", "about")
LEVELS = tuple(range(1, 10))
LISTING_GENRES = frozenset({"directory"})
MODEL_FILE = "maturity.json"
# The page's opening words, embedded by MiniLM, tell its register (a datasheet reads unlike an abstract):
# cross-validated on train they add 0.07 to TRL within ±1 and 0.10 to genre accuracy over the cue features.
EMBEDDED_WORDS = 180
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[01]\d)\b")  # a past year, for history sentences


class _PhraseGroups(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: list[str]
    de: list[str] = []
    fr: list[str] = []
    es: list[str] = []
    ja: list[str] = []
    ko: list[str] = []

    def phrases(self) -> Iterable[str]:
        return (phrase for group in (self.en, self.de, self.fr, self.es, self.ja, self.ko) for phrase in group)


class MaturityVocabularyFile(BaseModel):
    """taxonomy/maturity.yaml."""

    model_config = ConfigDict(extra="forbid")
    genres: dict[str, _PhraseGroups]
    commercial: _PhraseGroups
    history: _PhraseGroups
    motivation: _PhraseGroups


class MaturityVocabulary:
    """The compiled phrase lists of taxonomy/maturity.yaml."""

    def __init__(self, document: MaturityVocabularyFile):
        missing = set(GENRES) - set(document.genres)
        if missing:
            raise ValueError(f"taxonomy/maturity.yaml: genres lack {', '.join(sorted(missing))}")
        self.genres = {genre: compile_phrases(document.genres[genre].phrases()) for genre in GENRES}
        self.commercial = compile_phrases(document.commercial.phrases())
        self.history = compile_phrases(document.history.phrases())
        self.motivation = compile_phrases(document.motivation.phrases())
        # Most sentences hold none of these phrases: one search of them all rules such a sentence out
        # before the eleven searches (it matches wherever one of them would).
        self.any_phrase = compile_phrases(phrase for group in (*document.genres.values(), document.commercial,
                                                               document.history, document.motivation)
                                          for phrase in group.phrases())

    @classmethod
    def load(cls, path: Path | None = None) -> "MaturityVocabulary":
        source = path or resources.files("taxonomy") / "maturity.yaml"
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
        return cls(MaturityVocabularyFile.model_validate(document))


@dataclass(frozen=True)
class Evidence:
    """One sentence that speaks to maturity: a TRL cue (with its level), a regulatory status or a sale."""

    sentence: str
    kind: str  # cue, regulatory, commercial, genre
    level: int | None
    strength: float
    genre: str | None = None


@dataclass(frozen=True)
class PageEvidence:
    features: dict[str, float]
    evidence: tuple[Evidence, ...]


def _count(pattern: re.Pattern | None, text: str) -> int:
    return len(pattern.findall(text)) if pattern is not None else 0


def opening(text: str) -> str:
    """What of a page is embedded for the maturity model."""
    return " ".join(text.split()[:EMBEDDED_WORDS])


def read_evidence(sentences: Sequence[str], regulatory: Sequence[RegulatoryFinding], language: str | None,
                  embedding: np.ndarray | None = None, vocabulary: MaturityVocabulary | None = None,
                  estimator: TRLEstimator | None = None) -> PageEvidence:
    """The features the maturity model weighs, and the sentences behind them.

    ``embedding`` is the MiniLM vector of the page's opening (see `opening`)."""
    vocabulary = vocabulary or default_vocabulary()
    estimator = estimator or default_estimator()
    n = max(len(sentences), 1)
    features: dict[str, float] = {"sentences_log": math.log1p(len(sentences))}
    cjk_text = any(has_cjk(s) for s in sentences[:3])
    features["lang_en"] = float(language == "en")
    features["lang_cjk"] = float(cjk_text or language in ("ja", "ko", "zh"))
    genre_hits = {genre: 0 for genre in GENRES}
    cue_support = {(frame, level): 0.0 for frame in ("present", "history", "motivation") for level in LEVELS}
    planned = negated = 0.0
    commercial_sentences = 0
    history_sentences = motivation_sentences = 0
    evidence: list[Evidence] = []
    for sentence in sentences:
        phrased = vocabulary.any_phrase is not None and vocabulary.any_phrase.search(sentence) is not None
        for genre, pattern in vocabulary.genres.items() if phrased else ():
            hits = min(_count(pattern, sentence), 3)
            genre_hits[genre] += hits
            if hits:
                evidence.append(Evidence(sentence, "genre", None, float(hits), genre))
        in_history = bool(phrased and _count(vocabulary.history, sentence) or _YEAR.search(sentence))
        in_motivation = bool(phrased and _count(vocabulary.motivation, sentence))
        history_sentences += in_history
        motivation_sentences += in_motivation
        commercial = _count(vocabulary.commercial, sentence) if phrased else 0
        if commercial:
            commercial_sentences += 1
            evidence.append(Evidence(sentence, "commercial", 9, float(commercial)))
        per_level: dict[tuple[str, int], float] = {}
        for cue, frame in estimator.framed_cues(sentence):
            if frame == "planned":
                planned += cue.strength
                continue
            if frame == "negated":
                negated += cue.strength
                continue
            where = "history" if in_history else "motivation" if in_motivation else "present"
            key = (where, cue.level)
            per_level[key] = max(per_level.get(key, 0.0), cue.strength)
        for (where, level), strength in per_level.items():
            cue_support[(where, level)] += strength
            if where == "present":
                evidence.append(Evidence(sentence, "cue", level, strength))
    for genre, hits in genre_hits.items():
        features[f"genre_{genre}"] = math.log1p(hits) / math.log1p(3 * n) if hits else 0.0
    for (where, level), value in cue_support.items():
        features[f"cue_{where}_{level}"] = math.log1p(value)
    present_levels = [level for (where, level), value in cue_support.items() if where == "present" and value > 0]
    strong = [level for (where, level), value in cue_support.items() if where == "present" and value >= 1.0]
    features["max_present_level"] = max(present_levels, default=0) / 9
    features["max_strong_level"] = max(strong, default=0) / 9
    features["mean_present_level"] = (
        sum(level * cue_support[("present", level)] for level in present_levels)
        / sum(cue_support[("present", level)] for level in present_levels) / 9 if present_levels else 0.0)
    features["planned"] = math.log1p(planned)
    features["negated"] = math.log1p(negated)
    features["history_share"] = history_sentences / n
    features["motivation_share"] = motivation_sentences / n
    features["commercial_share"] = commercial_sentences / n
    features["commercial_any"] = float(commercial_sentences > 0)
    statuses = {status: 0 for status in ("granted", "pending", "planned", "negated")}
    for finding in regulatory:
        statuses[finding.status] = statuses.get(finding.status, 0) + 1
        if finding.status == "granted":
            evidence.append(Evidence(finding.evidence, "regulatory", 9 if finding.market == "US" else 8, 2.0))
    for status, count in statuses.items():
        features[f"regulatory_{status}"] = math.log1p(count)
    if embedding is not None:
        features.update({f"embedding_{i}": float(value) for i, value in enumerate(embedding)})
    return PageEvidence(features, tuple(evidence))


def with_bands(level_probabilities: np.ndarray, band_probabilities: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Each level's probability times its band's (bands 1-3, 4-6, 7-9), renormalised: the band model pools the
    evidence of neighbouring levels, which a nine-way model learns from few passages each; the product beat
    the level model alone on train, cross-validated (indexer/analysis/training.py).

    The last axis of ``level_probabilities`` holds ``levels`` in order, that of ``band_probabilities`` the
    three bands."""
    joint = level_probabilities * band_probabilities[..., (np.asarray(levels, dtype=int) - 1) // 3]
    return joint / np.maximum(joint.sum(axis=-1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class MaturityJudgement:
    """A page's TRL (None when the model abstains or the page lists others), with its evidence."""

    level: int | None
    cue: str
    confidence: float
    runner_up: int | None
    genre: str
    genre_confidence: float
    probabilities: tuple[float, ...]  # per level 1..9

    @property
    def lists_others(self) -> bool:
        return self.genre in LISTING_GENRES


class _LinearModel:
    """A multinomial logistic model stored as plain numbers (no pickles): standardise, then softmax."""

    def __init__(self, spec: dict):
        self.features: list[str] = spec["features"]
        self.classes: list = spec["classes"]
        self.mean = np.asarray(spec["mean"], dtype=np.float64)
        self.scale = np.asarray(spec["scale"], dtype=np.float64)
        self.coef = np.asarray(spec["coef"], dtype=np.float64)
        self.intercept = np.asarray(spec["intercept"], dtype=np.float64)

    def probabilities(self, features: dict[str, float]) -> np.ndarray:
        x = (np.array([features.get(name, 0.0) for name in self.features]) - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        logits -= logits.max()
        weights = np.exp(logits)
        return weights / weights.sum()


class MaturityModel:
    """The learnt genre and TRL models with the abstention threshold chosen on train."""

    def __init__(self, spec: dict):
        self.version: str = spec["version"]
        self.genre = _LinearModel(spec["genre"])
        self.trl = _LinearModel(spec["trl"])
        self.band = _LinearModel(spec["band"])
        self.abstain_below: float = spec["abstain_below"]
        self.listing_threshold: float = spec.get("listing_threshold", 0.5)

    @classmethod
    def load(cls, path: Path | None = None) -> "MaturityModel":
        source = path or resources.files("indexer.analysis") / "models" / MODEL_FILE
        return cls(json.loads(source.read_text(encoding="utf-8")))

    def genre_probabilities(self, features: dict[str, float]) -> dict[str, float]:
        return dict(zip(self.genre.classes, self.genre.probabilities(features).tolist()))

    def level_probabilities(self, features: dict[str, float], genres: dict[str, float]) -> np.ndarray:
        """Probability per level 1..9 (levels never seen in training get 0)."""
        combined = {**features, **{f"p_{genre}": value for genre, value in genres.items()}}
        probabilities = np.zeros(len(LEVELS))
        for level, p in zip(self.trl.classes, self.trl.probabilities(combined)):
            probabilities[int(level) - 1] = p
        bands = np.zeros(3)
        for band, p in zip(self.band.classes, self.band.probabilities(combined)):
            bands[int(band) - 1] = p
        return with_bands(probabilities, bands, LEVELS)

    def judge(self, page: PageEvidence) -> MaturityJudgement:
        expected = sum(name.startswith("embedding_") for name in self.genre.features)
        given = sum(name.startswith("embedding_") for name in page.features)
        if given != expected:
            raise ValueError(f"the maturity model was learnt on {expected}-dimensional MiniLM vectors; "
                             f"this page has {given}")
        genres = self.genre_probabilities(page.features)
        genre = max(genres, key=genres.get)
        probabilities = self.level_probabilities(page.features, genres)
        order = np.argsort(-probabilities)
        level, runner_up = int(order[0]) + 1, int(order[1]) + 1
        confidence = float(probabilities[max(level - 2, 0): level + 1].sum())
        listing = genre in LISTING_GENRES and genres[genre] >= self.listing_threshold
        chosen = None if listing or confidence < self.abstain_below else level
        return MaturityJudgement(
            level=chosen, cue=decisive_sentence(page.evidence, level, genre), confidence=round(confidence, 3),
            runner_up=runner_up, genre=genre, genre_confidence=round(genres[genre], 3),
            probabilities=tuple(round(float(p), 4) for p in probabilities),
        )


def decisive_sentence(evidence: Sequence[Evidence], level: int, genre: str) -> str:
    """The sentence that most directly supports a level: a granted status or a sale for the top of the
    scale, else the cue whose level is nearest (stronger first), else what shows the page's genre."""
    if level >= 8:
        for kind in ("regulatory", "commercial"):
            candidates = [e for e in evidence if e.kind == kind]
            if candidates:
                return max(candidates, key=lambda e: e.strength).sentence
    cues = [e for e in evidence if e.kind == "cue"]
    if cues:
        return min(cues, key=lambda e: (abs(e.level - level), -e.strength)).sentence
    shown = [e for e in evidence if e.kind == "genre" and e.genre == genre]
    return max(shown, key=lambda e: e.strength).sentence if shown else ""


@lru_cache(maxsize=1)
def default_vocabulary() -> MaturityVocabulary:
    return MaturityVocabulary.load()


@lru_cache(maxsize=1)
def default_model() -> MaturityModel:
    return MaturityModel.load()
