"""The vector index for semantic search: one MiniLM vector per page, kept beside the full-text index."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from indexer.analysis.embedding_model import DIMENSIONS, embed
from store import PageView, Store

log = logging.getLogger(__name__)

EMBEDDINGS_FILE = "embeddings.npz"
PASSAGE_WORDS = 180  # MiniLM reads 256 word pieces; the rest of a long page would be cut anyway


def page_passage(page: PageView) -> str:
    """What a page is about in a few hundred words: title, the evidence of its tags, then its opening."""
    parts = [page.title, *(tag.evidence for tag in page.tags)]
    words = " ".join(parts).split()
    remaining = max(PASSAGE_WORDS - len(words), 0)
    return " ".join(words + page.text.split()[:remaining])


class EmbeddingIndex:
    def __init__(self, index_dir: Path):
        self.path = index_dir / EMBEDDINGS_FILE
        self.page_ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.path.exists():
            with np.load(self.path) as stored:
                self.page_ids, self.vectors = stored["page_ids"], stored["vectors"]

    def __len__(self) -> int:
        return len(self.page_ids)

    def update(self, store: Store, page_ids: list[int]) -> None:
        """Embed these pages (new or changed) and replace their old vectors."""
        pages = store.pages(page_ids)
        vectors = embed([page_passage(page) for page in pages])
        keep = ~np.isin(self.page_ids, [page.id for page in pages])
        self.page_ids = np.concatenate([self.page_ids[keep], np.array([p.id for p in pages], dtype=np.int64)])
        self.vectors = np.concatenate([self.vectors[keep], vectors])

    def remove(self, page_ids: list[int]) -> None:
        keep = ~np.isin(self.page_ids, page_ids)
        self.page_ids, self.vectors = self.page_ids[keep], self.vectors[keep]

    def save(self) -> None:
        """Written to a temporary file and renamed, so a killed run leaves the previous index intact."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, page_ids=self.page_ids, vectors=self.vectors)
        os.replace(partial, self.path)

    def nearest(self, query: str, limit: int = 100) -> list[tuple[int, float]]:
        if not len(self):
            return []
        similarities = self.vectors @ embed([query])[0]
        order = np.argsort(-similarities)[:limit]
        return [(int(self.page_ids[i]), float(similarities[i])) for i in order]
