"""The search benchmark keeps its output contract, and its corpus is what the figures claim it is."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from benchmarks.search_corpus import BATCH_PAGES, MAX_PASSAGES, Corpus
from retrieval.engine import BACKENDS
from retrieval.query import parse
from scout.registry import MARKETS
from tests.conftest import REPO_ROOT

BACKEND_KEYS = ("index_pages_per_s", "rebuild_seconds", "index_bytes", "peak_rss_mb", "bm25_p50_ms", "bm25_p95_ms",
                "vector_p50_ms", "vector_p95_ms", "hybrid_facets_p50_ms", "hybrid_facets_p95_ms",
                "hybrid_facets_filtered_p50_ms", "hybrid_facets_filtered_p95_ms", "cli_cold_start_s")


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_json_output_is_one_object_with_every_backend_and_figure(tmp_path):
    completed = subprocess.run(
        [sys.executable, "benchmarks/search.py", "--pages", "300", "--json", "--queries", "16",
         "--embedding-passages", "0", "--cli-runs", "1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.count("\n") == 1, "progress belongs on stderr; stdout holds one JSON line"
    result = json.loads(completed.stdout)
    assert result["pages"] == 300
    assert set(result["backends"]) == set(BACKENDS)
    for backend, figures in result["backends"].items():
        for key in BACKEND_KEYS:
            assert is_number(figures.get(key)) and figures[key] >= 0, (backend, key, figures.get(key))
        assert figures["index_bytes"] > 0 and figures["rebuild_seconds"] > 0
        assert figures["query_errors"] == 0, figures["query_error_examples"]
        assert figures["bm25_median_hits"] > 0 and figures["hybrid_facets_median_hits"] > 0
        # A filter narrows: it never matches more than the same queries without it.
        assert figures["bm25_filtered_median_hits"] <= figures["bm25_median_hits"]
    assert is_number(result["cli_cold_start_s"])
    assert result["embedding_passages_per_s"] is None  # skipped with --embedding-passages 0
    assert result["passages"] > result["pages"]


def test_corpus_batches_are_reproducible_and_independent():
    first, again = Corpus(1_200).batch(1), Corpus(1_200).batch(1)
    assert [page for page, _ in first] == [page for page, _ in again]
    assert all(np.array_equal(a.vectors, b.vectors) for (_, a), (_, b) in zip(first, again))
    assert [page.page_id for page, _ in first] == list(range(BATCH_PAGES + 1, 2 * BATCH_PAGES + 1))
    assert [len(batch) for batch in Corpus(1_200)] == [BATCH_PAGES, BATCH_PAGES, 200]


@pytest.fixture(scope="module")
def pages():
    corpus = Corpus(2_000)
    return corpus, [item for batch in corpus for item in batch]


def test_pages_cover_markets_languages_lengths_and_applications(pages):
    corpus, items = pages
    indexed = [page for page, _ in items]
    assert {organisation.market for organisation in corpus.organisations} == set(MARKETS)
    assert {page.market for page in indexed} == set(MARKETS)
    languages = Counter(page.language for page in indexed)
    assert set(languages) == {"en", "de", "fr", "ja", "ko"} and languages["en"] > len(indexed) / 2
    words = [len(page.text.split()) for page in indexed if page.language != "ja"]
    # 80-5,000 words are drawn; a term of several words standing for one of them adds a few.
    assert min(words) >= 80 and max(words) <= 5_500 and 600 < float(np.median(words)) < 1_200
    assert all(1 <= len(page.applications) <= 3 for page in indexed)
    assert {page.trl for page in indexed} == set(range(1, 10)) | {None}
    assert any(page.published for page in indexed) and not all(page.published for page in indexed)
    assert len({page.organisation_id for page in indexed}) > 300


def test_passage_vectors_are_unit_rows_nearest_their_applications(pages):
    corpus, items = pages
    for page, vectors in items[:50]:
        assert 1 <= len(vectors.spans) == len(vectors.vectors) <= MAX_PASSAGES
        assert vectors.spans[0][0] == 0 and vectors.spans[-1][1] == len(page.text)
        assert np.allclose(np.linalg.norm(vectors.vectors, axis=1), 1.0, atol=1e-5)
    query = next(query for query in corpus.queries(40) if query.kind == "word")
    similarity = {page.page_id: float((vectors.vectors @ corpus.query_vector(query, 0)).max())
                  for page, vectors in items}
    about = [similarity[page.page_id] for page, _ in items if query.application in page.applications]
    other = [similarity[page.page_id] for page, _ in items if query.application not in page.applications]
    assert min(about) > max(other) - 0.1 and np.median(about) > 0.35 > np.median(other)


def test_queries_mix_every_kind_and_all_parse(pages):
    corpus, _ = pages
    queries = corpus.queries(200)
    assert len(queries) == 200
    assert {query.kind for query in queries} >= {"word", "acronym", "and", "phrase", "or", "not", "common"}
    assert any(query.kind.startswith("lang-") for query in queries)
    for query in queries:
        assert parse(query.text) is not None and parse(query.filtered_text) != parse(query.text)
