"""Evaluation metrics on hand-computed examples, and the dev-set quality gate."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis.evaluation import (
    EvaluationDataError,
    evaluate,
    evaluate_analyser,
    format_report,
    load_jsonl,
)
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


def labelled(**fields) -> str:
    return json.dumps({"text": "An OCT scanner.", "applications": ["A20"], "trl": 9, **fields})


def test_load_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(labelled(id="a") + '\n\n{"id": \n', encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=r"records\.jsonl:3"):
        load_jsonl(path)
    path.write_text(labelled(id="a") + "\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(EvaluationDataError, match=r"records\.jsonl:2"):
        load_jsonl(path)
    path.write_text(labelled(id="a") + "\n\n" + labelled(id="b") + "\n", encoding="utf-8")
    assert [r["id"] for r in load_jsonl(path)] == ["a", "b"]


@pytest.mark.parametrize(("line", "reason"), [
    (labelled(trl=12), "'trl' must be a whole number from 1 to 9 or null, not 12"),
    (labelled(trl="nine"), "'trl' must be a whole number from 1 to 9 or null, not \"nine\""),
    (labelled(trl=True), "'trl' must be a whole number"),
    (labelled(applications=["A99"]), "unknown application id(s) A99"),
    (labelled(applications="A20"), "'applications' must be a list"),
    (json.dumps({"text": "An OCT scanner."}), "labels missing"),
    (json.dumps({"text": "An OCT scanner.", "applications": []}), "labels missing"),
    (labelled(text=""), "'text' must be a non-empty string"),
    (labelled(text="\ud800"), "unpaired surrogate"),
    ('{"text": "x", "applications": [], "trl": 1' + "0" * 5000 + "}", "unreadable JSON"),
    ("[" * 100_000, "unreadable JSON"),
])
def test_load_jsonl_rejects_lines_that_are_not_labelled_passages(tmp_path, line, reason):
    path = tmp_path / "gold.jsonl"
    path.write_text(labelled() + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvaluationDataError) as rejected:
        load_jsonl(path)
    assert str(rejected.value).startswith(f"{path}:2: ") and reason in str(rejected.value)


def test_load_jsonl_rejects_binary_and_empty_files(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_bytes(labelled().encode() + b"\n\x89PNG\r\n\x1a\n\xff\xd8\n")
    with pytest.raises(EvaluationDataError, match=r"gold\.jsonl:2: not UTF-8 text"):
        load_jsonl(path)
    path.write_bytes(b"")
    with pytest.raises(EvaluationDataError, match=r"gold\.jsonl: no labelled passages"):
        load_jsonl(path)
    path.write_bytes(b"\n  \n")
    with pytest.raises(EvaluationDataError, match="no labelled passages"):
        load_jsonl(path)


def test_load_jsonl_reads_a_bom_and_line_separators_inside_strings(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + labelled(text="OCT\u2028scanner").encode("utf-8") + b"\r\n")
    assert load_jsonl(path)[0]["text"] == "OCT\u2028scanner"


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=12)
LABELLED_LIKE = st.fixed_dictionaries({}, optional={
    "text": JSON_VALUES, "applications": st.lists(st.sampled_from(["A01", "A20", "A99", ""]) | JSON_VALUES),
    "trl": st.integers(-2, 12) | JSON_VALUES, "country": JSON_VALUES, "lang": JSON_VALUES})


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
       | st.lists(LABELLED_LIKE | JSON_VALUES, max_size=4).map(
           lambda values: "\n".join(json.dumps(value) for value in values).encode()))
def test_load_jsonl_returns_passages_or_its_own_error_for_any_input(data):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "gold.jsonl"
        path.write_bytes(data)
        try:
            records = load_jsonl(path)
        except EvaluationDataError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
            return
    # What it accepts, evaluate() can score without another check.
    assert records and all(isinstance(r["text"], str) and isinstance(r["applications"], list) for r in records)
    evaluate(records, lambda r: [], lambda r: None, country_fn=lambda r: None)


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
    assert metrics["trl_within1"] == 0.5 and metrics["trl_within1_of_estimates"] == pytest.approx(2 / 3)
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
    """Analysed as production does: the language is detected, never taken from the gold label."""
    result = evaluate_analyser(load_jsonl(path), analyser)
    return result, format_report(result)


# ../shared/eval/dev.jsonl was read while the tagger's vocabulary was written: a regression check only,
# never evidence of quality. Measured 2026-11-30 after the second round (language detected): app micro-F1
# 0.939, macro-F1 0.950, TRL exact 0.571, within ±1 0.694, within ±1 on gold ≤ 6 0.722 (13 of 18; one
# passage is 0.056 there, so its floor allows one), negatives tagged 0%.
SHARED_DEV_FLOORS = {"app_micro_f1": 0.88, "app_macro_f1": 0.90, "trl_within1": 0.64, "trl_exact": 0.54,
                     "trl_early_within1": 0.66}
# eval/ (ours): the models were fitted on eval/train.jsonl only. dev was looked at while choosing designs;
# test was run at the end of each round, never tuned on (figures in eval/README.md). Floors sit a few
# points below the measured figures so that changes losing ground fail here.
EVAL_FLOORS = {
    "dev.jsonl": {"app_micro_f1": 0.74, "app_macro_f1": 0.71, "trl_within1": 0.58, "trl_band_accuracy": 0.49,
                  "trl_early_within1": 0.50},
    "test.jsonl": {"app_micro_f1": 0.72, "app_macro_f1": 0.62, "trl_within1": 0.71, "trl_band_accuracy": 0.61,
                   "trl_early_within1": 0.70},
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


def test_evaluation_detects_language_as_production_does():
    handed = []

    class Analyser:  # stands in for TextAnalyser, noting the languages it is handed
        def analyse_many(self, texts, languages=None, known=None):
            handed.append(languages)
            return [SimpleNamespace(applications=(), trl=None, country=None, genre=None) for _ in texts]

    records = [{"text": "Die optische Kohärenztomographie zeigt die Netzhaut.", "lang": "de",
                "applications": ["A20"], "trl": None}]
    assert evaluate_analyser(records, Analyser())["n"] == 1
    assert handed == [None]  # the gold "lang" would skip detection
