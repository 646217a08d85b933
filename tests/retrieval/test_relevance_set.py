"""The judged query set: its schema, its coverage, and that its test half is still the frozen one."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from retrieval.relevance import KINDS, QUERY_SET, QuerySetError, load_queries

MINIMUM_QUERIES = 40


@pytest.fixture(scope="module")
def queries():
    return load_queries(QUERY_SET / "queries.jsonl")


def test_the_set_is_large_enough_and_holds_every_kind(queries):
    assert len(queries) >= MINIMUM_QUERIES
    assert set(KINDS) <= {q.kind for q in queries}
    assert {q.corpus for q in queries} == {"demo", "bolts"}


def test_at_least_two_languages_besides_english(queries):
    other = {q.lang for q in queries if q.kind == "other-language"}
    assert "en" not in other and len(other) >= 2


def test_the_issues_examples_are_in(queries):
    texts = {q.query for q in queries}
    assert {"OCT", "PDT", "Nd:YAG"} <= texts
    assert any("1064 nm" in text for text in texts)


def test_pages_are_named_by_stable_urls_not_ids(queries):
    for judged in queries:
        for key in judged.relevant:
            assert key.startswith(("{site:demo-", "/")), f"{judged.id}: {key}"
            assert not key.endswith("/index.html") and "127.0.0.1" not in key, f"{judged.id}: {key}"


def test_halves_partition_the_set_stratified_by_kind(queries):
    tune = load_queries(QUERY_SET / "tune.jsonl")
    test = load_queries(QUERY_SET / "test.jsonl")
    assert sorted(q.id for q in tune + test) == sorted(q.id for q in queries)
    assert {q.id: q for q in tune + test} == {q.id: q for q in queries}
    for kind in KINDS:
        in_tune = sum(q.kind == kind for q in tune)
        in_test = sum(q.kind == kind for q in test)
        assert in_tune >= 1 and in_test >= 1 and abs(in_tune - in_test) <= 1, kind


def test_the_test_half_is_frozen():
    expected = (QUERY_SET / "test.sha256").read_text().split()[0]
    assert hashlib.sha256((QUERY_SET / "test.jsonl").read_bytes()).hexdigest() == expected


def test_ids_are_unique(queries):
    assert not [i for i, n in Counter(q.id for q in queries).items() if n > 1]


@pytest.mark.parametrize("change, reason", [
    ({"kind": "guess"}, "kind must be one of"),
    ({"relevant": {"/a/": 4}}, "grades must be one of"),
    ({"relevant": {"/a/": 2}}, "grade-3 page"),
    ({"relevant": {}}, "at least one page"),
    ({"corpus": "web"}, "corpus must be one of"),
    ({"query": " "}, "non-empty"),
    ({"extra": 1}, "fields must be"),
])
def test_malformed_lines_are_refused_with_file_and_line(tmp_path, change, reason):
    good = {"id": "q1", "query": "OCT", "corpus": "demo", "relevant": {"/a/": 3}, "kind": "acronym", "lang": "en"}
    path = tmp_path / "queries.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "q2", **change}) + "\n", encoding="utf-8")
    with pytest.raises(QuerySetError, match=reason) as refused:
        load_queries(path)
    assert str(refused.value).startswith(f"{path}:2: ")


def test_a_repeated_id_is_refused(tmp_path):
    line = json.dumps({"id": "q1", "query": "OCT", "corpus": "demo", "relevant": {"/a/": 3}, "kind": "acronym",
                       "lang": "en"})
    path = tmp_path / "queries.jsonl"
    path.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QuerySetError, match="repeated"):
        load_queries(path)
