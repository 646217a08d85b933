"""Evaluation metrics on hand-computed examples, and the dev-set quality gate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from indexer.analysis.evaluation import EvaluationDataError, evaluate, format_report, load_jsonl
from tests.conftest import requires_shared, shared_path

RECORDS = [
    {"id": "r1", "text": "", "applications": ["A01", "A12"], "trl": 4},
    {"id": "r2", "text": "", "applications": ["A20"], "trl": 9},
    {"id": "r3", "text": "", "applications": [], "trl": None},
    {"id": "r4", "text": "", "applications": ["A31"], "trl": 7},
]
PREDICTED_APPS = {"r1": ["A01"], "r2": ["A20", "A04"], "r3": ["A35"], "r4": ["A31"]}
PREDICTED_TRL = {"r1": 5, "r2": 9, "r3": 9, "r4": None}


@pytest.fixture(scope="module")
def metrics():
    return evaluate(RECORDS, lambda r: PREDICTED_APPS[r["id"]], lambda r: PREDICTED_TRL[r["id"]])


def test_application_scores(metrics):
    # tp = A01, A20, A31 = 3; fp = A04, A35 = 2; fn = A12 = 1
    assert metrics["app_micro_f1"] == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))
    # per-application F1: A01 1, A04 0, A12 0, A20 1, A31 1, A35 0 -> 3 / 6
    assert metrics["app_macro_f1"] == pytest.approx(0.5)
    assert metrics["per_application"]["A12"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert metrics["per_application"]["A20"]["support"] == 1
    assert metrics["confusions"] == []  # no passage both missed a gold id and added another
    assert metrics["n"] == 4
    assert metrics["negatives_tagged_rate"] == 1.0


def test_confusions_pair_missed_and_extra_ids_on_the_same_passage():
    records = [{"applications": ["A12"], "trl": None}, {"applications": ["A12"], "trl": None}]
    result = evaluate(records, lambda r: ["A01"], lambda r: None)
    assert result["confusions"] == [["A12", "A01", 2]]


def test_trl_scores_count_unknown_as_wrong_and_exclude_it_from_mae(metrics):
    # gold/pred: 4/5, 9/9, 7/None -> exact 1/3, within1 2/3, band 1/3 (4 and 5 share 4-6: 2/3)
    assert metrics["trl_n"] == 3
    assert metrics["trl_unknown"] == 1
    assert metrics["trl_exact"] == pytest.approx(1 / 3)
    assert metrics["trl_within1"] == pytest.approx(2 / 3)
    assert metrics["trl_band_accuracy"] == pytest.approx(2 / 3)
    assert metrics["trl_mae"] == pytest.approx(0.5)


def test_report_is_readable(metrics):
    report = format_report(metrics)
    assert "micro-F1 0.667" in report
    assert "A12" in report and "within±1 0.667" in report


def test_load_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": \n', encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=r"records\.jsonl:3"):
        load_jsonl(path)
    path.write_text('{"id": "a"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=r"records\.jsonl:2"):
        load_jsonl(path)
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n', encoding="utf-8")
    assert [r["id"] for r in load_jsonl(path)] == ["a", "b"]


def test_trl_per_band_early_levels_and_baseline(metrics):
    # gold/pred: 4/5, 9/9, 7/None
    assert metrics["trl_per_band"]["4-6"] == {"n": 1, "exact": 0.0, "within1": 1.0}
    assert metrics["trl_per_band"]["7-9"] == {"n": 2, "exact": 0.5, "within1": 0.5}
    assert metrics["trl_per_band"]["1-3"]["n"] == 0
    assert metrics["trl_early_n"] == 1 and metrics["trl_early_within1"] == 1.0
    # TRL 9 for all: 4 wrong, 9 right, 7 wrong (band right)
    baseline = metrics["trl_baseline"]
    assert (baseline["level"], baseline["exact"], baseline["within1"], baseline["band_accuracy"],
            baseline["early_within1"]) == (9, pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(2 / 3), 0.0)
    assert baseline["mae"] == pytest.approx((5 + 0 + 2) / 3)
    assert baseline["band_confusion"]["4-6"] == {"1-3": 0, "4-6": 0, "7-9": 1, "none": 0}


def test_band_confusion_abstention_and_reliability():
    records = [{"applications": ["A01"], "trl": gold, "genre": genre}
               for gold, genre in ((2, "research"), (5, "research"), (9, "product"), (8, "product"))]
    predictions = iter([(3, 0.9), (None, 0.3), (9, 0.7), (4, 0.7)])
    metrics = evaluate(records, lambda r: ["A01"], lambda r: next(predictions))
    assert metrics["trl_abstention_rate"] == 0.25
    assert metrics["trl_band_confusion"]["4-6"]["none"] == 1 and metrics["trl_band_confusion"]["7-9"]["4-6"] == 1
    assert metrics["trl_per_genre"]["product"] == {"n": 2, "exact": 0.5, "within1": 0.5, "band_accuracy": 0.5}
    bins = {b["bin"]: b for b in metrics["trl_reliability"]["bins"]}
    assert bins["0.6-0.8"]["n"] == 2 and bins["0.6-0.8"]["within1"] == 0.5 and bins["0.8-1.0"]["within1"] == 1.0
    # |0.7 - 0.5| weighs 2/3, |0.9 - 1| weighs 1/3
    assert metrics["trl_reliability"]["ece"] == pytest.approx(2 / 3 * 0.2 + 1 / 3 * 0.1)


def test_neighbour_confusions_always_report_the_known_pairs():
    records = [{"applications": ["A12"], "trl": None}, {"applications": ["A09"], "trl": None}]
    predicted = {"A12": ["A12", "A20"], "A09": ["A35"]}
    result = evaluate(records, lambda r: predicted[r["applications"][0]], lambda r: None)
    assert result["neighbour_confusions"]["A12/A20"] == {"A12->A20": 1, "A20->A12": 0, "support": 1}
    assert result["neighbour_confusions"]["A09/A18"]["support"] == 1
    assert result["neighbour_confusions"]["A09/A35"] == {"A09->A35": 1, "A35->A09": 0, "support": 1}  # observed


def test_country_precision_ignores_silence_but_accuracy_does_not():
    records = [{"applications": [], "trl": None, "country": c} for c in ("US", "JP", "KR", None)]
    guesses = iter(["us", None, "JP", "FR"])
    result = evaluate(records, lambda r: [], lambda r: None, country_fn=lambda r: next(guesses))
    assert (result["country_n"], result["country_answered"]) == (3, 2)
    assert result["country_precision"] == 0.5 and result["country_accuracy"] == pytest.approx(1 / 3)


REPO = Path(__file__).resolve().parents[3]


def _gate_metrics(analyser, path) -> tuple[dict, str]:
    """Analyse as production does: the language is detected, never taken from the gold label."""
    records = load_jsonl(path)
    analyses = analyser.analyse_many([r["text"] for r in records])
    by_record = {id(record): analysis for record, analysis in zip(records, analyses)}

    def trl(record):
        estimate = by_record[id(record)].trl
        return (estimate.level, estimate.confidence) if estimate else None

    result = evaluate(records, lambda r: [t.application for t in by_record[id(r)].applications], trl,
                      genre_fn=lambda r: by_record[id(r)].genre)
    return result, format_report(result)


# ../shared/eval/dev.jsonl was read while the tagger's vocabulary was written: a regression check only,
# never evidence of quality. Measured 2026-11-30 (language detected): app micro-F1 0.965, macro-F1
# 0.973, TRL exact 0.592, within ±1 0.694, within ±1 on gold ≤ 6 0.778, negatives tagged 0%.
SHARED_DEV_FLOORS = {"app_micro_f1": 0.92, "app_macro_f1": 0.93, "trl_within1": 0.64, "trl_exact": 0.54,
                     "trl_early_within1": 0.72}
# eval/ (ours): the maturity model was fitted on eval/train.jsonl only. dev was looked at while choosing
# how TRL and tags combine; test was run once, at the end (figures in eval/README.md). Floors sit a few
# points below the measured figures so that changes losing ground fail here.
EVAL_FLOORS = {
    "dev.jsonl": {"app_micro_f1": 0.56, "trl_within1": 0.48, "trl_band_accuracy": 0.40, "trl_early_within1": 0.40},
    "test.jsonl": {"app_micro_f1": 0.52, "trl_within1": 0.66, "trl_band_accuracy": 0.54, "trl_early_within1": 0.64},
}


@pytest.mark.slow
@requires_shared("eval", "dev.jsonl")
def test_shared_dev_set_regression_gate(minilm_analyser):
    result, report = _gate_metrics(minilm_analyser, shared_path("eval", "dev.jsonl"))
    for metric, floor in SHARED_DEV_FLOORS.items():
        assert result[metric] >= floor, f"{metric} {result[metric]:.3f} < {floor}\n{report}"
    assert result["trl_within1"] > result["trl_baseline"]["within1"], report
    assert result["negatives_tagged_rate"] <= 0.1, report


@pytest.mark.slow
@pytest.mark.parametrize("split", sorted(EVAL_FLOORS))
def test_eval_split_quality_gate(minilm_analyser, split):
    result, report = _gate_metrics(minilm_analyser, REPO / "eval" / split)
    for metric, floor in EVAL_FLOORS[split].items():
        assert result[metric] >= floor, f"{metric} {result[metric]:.3f} < {floor}\n{report}"
    for metric in ("within1", "band_accuracy"):
        assert result[f"trl_{metric}"] > result["trl_baseline"][metric], report
    assert result["negatives_tagged_rate"] <= 0.1, report


def test_test_split_is_frozen():
    expected = (REPO / "eval" / "test.sha256").read_text().split()[0]
    assert hashlib.sha256((REPO / "eval" / "test.jsonl").read_bytes()).hexdigest() == expected
