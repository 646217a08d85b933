"""The embedding signal of the tagger: how close a page's sentences come to each application.

Each application is represented by the MiniLM embedding of its description and of its name with its
first English terms (a few example phrases), averaged. Raw cosine similarities are not comparable
across applications: a broad description ("General laser components") is close to everything. So
each application's similarity is calibrated against the other applications' texts: z = (similarity -
mean) / standard deviation of its similarities to them. z = 2 then means "as far above the
neighbouring applications' vocabulary as two standard deviations" for every application alike, and
one threshold serves them all. The calibration uses the taxonomy only, never labelled passages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from taxonomy import ApplicationInfo

EXAMPLE_TERMS = 8
# A standard deviation estimated from 34 neighbours can be tiny for an isolated application; this
# floor keeps one lucky sentence from reaching an extreme z.
MIN_SPREAD = 0.03

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SemanticMatch:
    """An application's best calibrated similarity on a page, and the sentence that reached it."""

    z: float
    sentence: str


class ApplicationSpace:
    """Application prototypes and their calibration, built once from the taxonomy."""

    def __init__(self, applications: dict[str, ApplicationInfo], encode: Encoder):
        self.ids = list(applications)
        descriptions = [f"{app.name}. {app.description}" for app in applications.values()]
        examples = [f"{app.name}: " + ", ".join(app.terms["en"][:EXAMPLE_TERMS]) for app in applications.values()]
        vectors = encode(descriptions + examples)
        count = len(self.ids)
        prototypes = vectors[:count] + vectors[count:]
        self.prototypes = prototypes / np.linalg.norm(prototypes, axis=1, keepdims=True)
        # Each application against both texts of every other application.
        similarities = self.prototypes @ vectors.T  # (apps, 2 * apps)
        own = np.concatenate([np.eye(count, dtype=bool)] * 2, axis=1)
        others = np.where(own, np.nan, similarities)
        self.mean = np.nanmean(others, axis=1)
        self.spread = np.maximum(np.nanstd(others, axis=1), MIN_SPREAD)

    def calibrated(self, sentence_vectors: np.ndarray) -> np.ndarray:
        """z-scores, shape (sentences, applications)."""
        return (sentence_vectors @ self.prototypes.T - self.mean) / self.spread

    def best_matches(self, sentences: list[str], sentence_vectors: np.ndarray) -> dict[str, SemanticMatch]:
        """Per application, the page sentence closest to it."""
        if not sentences:
            return {}
        z = self.calibrated(sentence_vectors)
        best = z.argmax(axis=0)
        return {app_id: SemanticMatch(float(z[best[i], i]), sentences[best[i]]) for i, app_id in enumerate(self.ids)}
