"""Score the application tagger and the TRL estimator against labelled passages.

Records are dicts with at least ``text``, ``applications`` (gold ids, [] for negatives)
and ``trl`` (gold level or None), as in the shared dev.jsonl.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

logger = logging.getLogger(__name__)

TagFn = Callable[[dict], Iterable[str]]
TRLFn = Callable[[dict], int | None]

TRL_BANDS = ((1, 3), (4, 6), (7, 9))


class EvaluationDataError(ValueError):
    """A labelled-data file cannot be read."""


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read one JSON object per non-blank line; errors name the file and line number."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise EvaluationDataError(f"{path}:{number}: invalid JSON: {error.msg}") from error
            if not isinstance(record, dict):
                raise EvaluationDataError(f"{path}:{number}: expected a JSON object")
            records.append(record)
    return records


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def _band(level: int) -> int:
    return next(i for i, (low, high) in enumerate(TRL_BANDS) if low <= level <= high)


def _application_metrics(golds: list[set[str]], predictions: list[set[str]]) -> dict[str, Any]:
    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    confusions: Counter = Counter()
    for gold, predicted in zip(golds, predictions):
        for app in gold & predicted:
            true_pos[app] += 1
        for app in predicted - gold:
            false_pos[app] += 1
        for app in gold - predicted:
            false_neg[app] += 1
        # A gold id the tagger missed, paired with what it said instead on the same passage.
        for missed in gold - predicted:
            for extra in predicted - gold:
                confusions[(missed, extra)] += 1

    per_application = {}
    for app in sorted(set(true_pos) | set(false_pos) | set(false_neg)):
        precision = _ratio(true_pos[app], true_pos[app] + false_pos[app])
        recall = _ratio(true_pos[app], true_pos[app] + false_neg[app])
        per_application[app] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "support": true_pos[app] + false_neg[app],
        }
    tp, fp, fn = sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values())
    micro_precision, micro_recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "app_micro_precision": micro_precision,
        "app_micro_recall": micro_recall,
        "app_micro_f1": _f1(micro_precision, micro_recall),
        "app_macro_f1": _ratio(sum(m["f1"] for m in per_application.values()), len(per_application)),
        "per_application": per_application,
        "confusions": [[g, p, n] for (g, p), n in sorted(confusions.items(), key=lambda i: (-i[1], i[0]))],
    }


def _trl_metrics(pairs: list[tuple[int, int | None]]) -> dict[str, Any]:
    """pairs of (gold, predicted); a None prediction is wrong and left out of the MAE."""
    known = [(gold, predicted) for gold, predicted in pairs if predicted is not None]
    n = len(pairs)
    return {
        "trl_n": n,
        "trl_unknown": n - len(known),
        "trl_exact": _ratio(sum(g == p for g, p in known), n),
        "trl_within1": _ratio(sum(abs(g - p) <= 1 for g, p in known), n),
        "trl_band_accuracy": _ratio(sum(_band(g) == _band(p) for g, p in known), n),
        "trl_mae": _ratio(sum(abs(g - p) for g, p in known), len(known)),
    }


def evaluate(records: list[dict], tag_fn: TagFn, trl_fn: TRLFn) -> dict[str, Any]:
    """Compare predictions with gold labels.

    ``tag_fn(record)`` returns predicted application ids; ``trl_fn(record)`` a level or None.
    """
    golds, predictions, trl_pairs = [], [], []
    negatives = negatives_tagged = 0
    for record in records:
        gold = set(record.get("applications") or [])
        predicted = set(tag_fn(record))
        golds.append(gold)
        predictions.append(predicted)
        if not gold:
            negatives += 1
            negatives_tagged += bool(predicted)
        if record.get("trl") is not None:
            trl_pairs.append((int(record["trl"]), trl_fn(record)))
    metrics = {"n": len(records)}
    metrics.update(_application_metrics(golds, predictions))
    metrics.update(_trl_metrics(trl_pairs))
    metrics["negatives"] = negatives
    metrics["negatives_tagged_rate"] = _ratio(negatives_tagged, negatives)
    return metrics


def format_report(metrics: dict[str, Any]) -> str:
    """A plain-text summary for people."""
    lines = [
        f"passages: {metrics['n']} (negatives: {metrics.get('negatives', 0)}, "
        f"tagged by mistake: {metrics['negatives_tagged_rate']:.0%})",
        f"applications  micro-F1 {metrics['app_micro_f1']:.3f}  macro-F1 {metrics['app_macro_f1']:.3f}"
        f"  (P {metrics.get('app_micro_precision', 0):.3f} / R {metrics.get('app_micro_recall', 0):.3f})",
        f"TRL (n={metrics['trl_n']}, unknown={metrics['trl_unknown']})  exact {metrics['trl_exact']:.3f}"
        f"  within±1 {metrics['trl_within1']:.3f}  band {metrics['trl_band_accuracy']:.3f}"
        f"  MAE {metrics['trl_mae']:.2f}",
        "",
        "per application:  id     P     R    F1  support",
    ]
    for app, m in metrics["per_application"].items():
        lines.append(
            f"                  {app}  {m['precision']:.2f}  {m['recall']:.2f}  {m['f1']:.2f}  {m['support']:>3}"
        )
    if metrics["confusions"]:
        lines += ["", "confusions (gold missed -> predicted instead, count):"]
        lines += [f"  {gold} -> {predicted}: {count}" for gold, predicted, count in metrics["confusions"]]
    return "\n".join(lines)
