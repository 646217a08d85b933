"""The ranking measures against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from retrieval.relevance import mean_figures, mrr, ndcg_at_k, recall_at_k, reciprocal_rank, scores_for

JUDGED = {"a": 3, "b": 2, "c": 1}


def test_reciprocal_rank_is_one_over_the_place_of_the_first_relevant_page():
    assert reciprocal_rank(["x", "y", "b", "a"], JUDGED) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], JUDGED) == 1.0
    assert reciprocal_rank(["x", "y"], JUDGED) == 0.0


def test_reciprocal_rank_counts_only_the_first_k():
    assert reciprocal_rank(["x", "y", "a"], JUDGED, k=2) == 0.0


def test_mrr_averages_over_queries():
    assert mrr([(["a"], JUDGED), (["x", "c"], JUDGED), (["x"], JUDGED)]) == pytest.approx((1 + 0.5 + 0) / 3)
    assert mrr([]) == 0.0


def test_recall_counts_relevant_pages_of_any_grade_within_k():
    assert recall_at_k(["c", "x", "a"], JUDGED) == pytest.approx(2 / 3)
    assert recall_at_k(["c", "x", "a"], JUDGED, k=2) == pytest.approx(1 / 3)


def test_ndcg_with_exponential_gains_and_log_discount():
    # DCG of [b, x, a]: (2^2-1)/log2(2) + 0 + (2^3-1)/log2(4) = 3 + 3.5 = 6.5
    # ideal [a, b, c]: 7/1 + 3/log2(3) + 1/log2(4) = 7 + 1.8928 + 0.5
    ideal = 7 + 3 / math.log2(3) + 0.5
    assert ndcg_at_k(["b", "x", "a"], JUDGED) == pytest.approx(6.5 / ideal)
    assert ndcg_at_k(["a", "b", "c"], JUDGED) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], JUDGED) == 0.0


def test_ndcg_ideal_is_cut_at_k_too():
    # k = 1: only the best page counts in both the ranking and the ideal.
    assert ndcg_at_k(["a", "x"], JUDGED, k=1) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], JUDGED, k=1) == pytest.approx(3 / 7)


def test_a_page_listed_twice_counts_once():
    assert ndcg_at_k(["a", "a", "b"], {"a": 3, "b": 2}) == pytest.approx(1.0)
    assert recall_at_k(["c", "c"], JUDGED) == pytest.approx(1 / 3)


def test_scores_and_means():
    scores = scores_for(["x", "a"], {"a": 3})
    assert scores == {"mrr": 0.5, "recall@10": 1.0, "ndcg@10": pytest.approx(1 / math.log2(3))}
    means = mean_figures([{"mrr": 1.0, "ndcg@10": 0.5}, {"mrr": 0.0, "ndcg@10": 0.25}])
    assert means == {"queries": 2, "mrr": 0.5, "ndcg@10": 0.375}
