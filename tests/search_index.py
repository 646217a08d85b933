"""A deterministic stand-in for the MiniLM embedder in search tests, and the index built with it.

Words map to a few concepts (eye, laser, skin, ...): a text's vector counts its concepts, so "eye" is near a
page about the retina though they share no word, as with the real model, without loading it (~10 s).
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from indexer.analysis.embedding_model import DIMENSIONS

CONCEPTS = {
    "eye": ("eye", "eyes", "retina", "retinal", "retinopathy", "ophthalmic", "cornea", "corneal", "oct", "vision"),
    "laser": ("laser", "lasers", "femtosecond", "ablation", "surgery", "surgical"),
    "skin": ("skin", "dermatology", "melanoma", "cancer", "photoacoustic"),
    "heart": ("heart", "cardiac", "oximetry", "pulse", "blood"),
}
_WORD = re.compile(r"\w+")


def concept_embed(texts: list[str]) -> np.ndarray:
    """Unit vectors over CONCEPTS (the last dimension for text of no concept, so nothing is all zeros)."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in _WORD.findall(text.lower()):
            for column, words in enumerate(CONCEPTS.values()):
                if word in words:
                    vectors[row, column] += 1.0
        if not vectors[row].any():
            vectors[row, DIMENSIONS - 1] = 1.0
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def fake_embeddings(monkeypatch):
    """Indexing and query embedding both use concept_embed (the search service imports `embed` late)."""
    from indexer.analysis import embedding_model
    from indexer.index import build

    monkeypatch.setattr(build, "embed", concept_embed)
    monkeypatch.setattr(embedding_model, "embed", concept_embed)
    return concept_embed


def build_search_index(store, index_dir: Path, backend: str = "whoosh", **options) -> int:
    """The index of the store's pages, passages embedded with concept_embed (never the model)."""
    from indexer.index import build

    with mock.patch.object(build, "embed", concept_embed):
        return build.build_index(store, index_dir, backend, **options)
