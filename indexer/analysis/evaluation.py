"""Score the application tagger and the TRL estimator against labelled passages.

Records are dicts with at least ``text``, ``applications`` (gold ids, [] for negatives)
and ``trl`` (gold level or None), as in the shared dev.jsonl.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from taxonomy import APPLICATIONS

logger = logging.getLogger(__name__)

TagFn = Callable[[dict], Iterable[str]]
# A level or None; or (level or None, confidence) where the estimator states how sure it is.
TRLFn = Callable[[dict], "int | None | tuple[int | None, float | None]"]
CountryFn = Callable[[dict], str | None]
GenreFn = Callable[[dict], str | None]

TRL_BANDS = ((1, 3), (4, 6), (7, 9))
# Levels below market: where readiness is hardest to read and matters most for scouting.
EARLY_TRL_MAX = 6
# The trivial baseline a TRL estimator must beat: most pages scouts read describe marketed products.
BASELINE_TRL = 9
# Applications whose vocabulary overlaps (spectroscopy vs spectrophotometry, endoscopic vs OCT
# imaging, photobiomodulation vs fibre delivery); always reported, with any pair the run confuses.
NEIGHBOUR_PAIRS = (("A09", "A18"), ("A12", "A20"), ("A28", "A19"))
# Confidence bins of the reliability table: is a TRL given with confidence 0.8 within one level 80% of the time?
RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


class EvaluationDataError(ValueError):
    """A labelled-data file cannot be read, or a line in it is not a labelled passage."""


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read one labelled passage per non-blank line; errors name the file and line number.

    Each line is a JSON object with a ``text`` string, ``applications`` (a list of known ids, [] for a
    negative) and ``trl`` (1-9 or null). Both labels must be present: a line without them would be scored
    as a negative passage of unknown readiness, silently.
    """
    try:
        data = Path(path).read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as error:
        raise EvaluationDataError(f"{path}: cannot read it: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise EvaluationDataError(f"{path}:{line}: not UTF-8 text (is this a JSON lines file?)") from None
    records = [record for _, record in json_lines(text, str(path), EvaluationDataError, _record_problem)]
    if not records:
        raise EvaluationDataError(f"{path}: no labelled passages in it")
    return records


def json_lines(text: str, source: str, error: type[Exception],
               problem: Callable[[Any], str | None]) -> Iterator[tuple[int, Any]]:
    """(line number, object) of every non-blank line; ``error("SOURCE:LINE: reason")`` for a line that is not
    JSON or whose object ``problem`` finds fault with."""
    # Split on newlines only: str.splitlines() would also split on U+2028 and others valid inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{source}:{number}: invalid JSON: {exc.msg}") from None
        except (ValueError, RecursionError) as exc:  # a number with too many digits, nesting too deep
            raise error(f"{source}:{number}: unreadable JSON: {exc}") from None
        fault = problem(record)
        if fault:
            raise error(f"{source}:{number}: {fault}")
        yield number, record


def _record_problem(record: Any) -> str | None:
    """What makes a parsed line unusable as a labelled passage, or None."""
    if not isinstance(record, dict):
        return "expected a JSON object"
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return "'text' must be a non-empty string"
    if not _is_encodable(text):
        return "'text' holds an unpaired surrogate escape (\\udXXX), not Unicode text"
    if "applications" not in record or "trl" not in record:
        return "labels missing: every line needs 'applications' ([] for none) and 'trl' (1-9 or null)"
    applications = record["applications"]
    if not isinstance(applications, list) or not all(isinstance(app, str) for app in applications):
        return "'applications' must be a list of application ids such as \"A20\""
    unknown = [app for app in applications if app not in APPLICATIONS]
    if unknown:
        return f"unknown application id(s) {', '.join(unknown)}; use A01..A35"
    trl = record["trl"]
    # bool is an int in Python; "trl": true is a mistake, not level 1.
    if trl is not None and (isinstance(trl, bool) or not isinstance(trl, int) or not 1 <= trl <= 9):
        return f"'trl' must be a whole number from 1 to 9 or null, not {json.dumps(trl)}"
    country = record.get("country")
    if country is not None and not isinstance(country, str):
        return "'country' must be a string (ISO alpha-2 code) or null"
    return None


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def evaluate_analyser(records: list[dict[str, Any]], analyser: Any) -> dict[str, Any]:
    """Analyse every passage as production does, then score it against the gold labels.

    The gold ``lang`` is never passed in: it would skip language detection, which decides how text is
    split and whether the embedding signal runs, so the figures would not be production's.
    """
    analyses = analyser.analyse_many([record["text"] for record in records])
    by_record = {id(record): analysis for record, analysis in zip(records, analyses)}
    return evaluate(
        records,
        tag_fn=lambda record: [tag.application for tag in by_record[id(record)].applications],
        trl_fn=lambda record: ((by_record[id(record)].trl.level, by_record[id(record)].trl.confidence)
                               if by_record[id(record)].trl else None),
        country_fn=lambda record: by_record[id(record)].country.value if by_record[id(record)].country else None,
        genre_fn=lambda record: by_record[id(record)].genre,
    )


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


def _neighbour_confusions(golds: list[set[str]], predictions: list[set[str]], confusions: list) -> dict[str, Any]:
    """For each neighbouring pair x/y: passages about x (not y) tagged y, and the reverse."""
    pairs = {tuple(sorted(pair)) for pair in NEIGHBOUR_PAIRS}
    pairs |= {tuple(sorted((gold, predicted))) for gold, predicted, _ in confusions}
    result = {}
    for first, second in sorted(pairs):
        def mistaken(x: str, y: str) -> int:
            return sum(x in gold and y not in gold and y in predicted for gold, predicted in zip(golds, predictions))

        result[f"{first}/{second}"] = {f"{first}->{second}": mistaken(first, second),
                                       f"{second}->{first}": mistaken(second, first),
                                       "support": sum(bool({first, second} & gold) for gold in golds)}
    return result


def _trl_scores(pairs: list[tuple[int, int | None]]) -> dict[str, float]:
    """exact / within±1 / band accuracy / MAE; a None prediction is wrong and left out of the MAE."""
    known = [(gold, predicted) for gold, predicted in pairs if predicted is not None]
    n = len(pairs)
    return {
        "exact": _ratio(sum(g == p for g, p in known), n),
        "within1": _ratio(sum(abs(g - p) <= 1 for g, p in known), n),
        "band_accuracy": _ratio(sum(_band(g) == _band(p) for g, p in known), n),
        "mae": _ratio(sum(abs(g - p) for g, p in known), len(known)),
    }


def _band_confusion(pairs: list[tuple[int, int | None]]) -> dict[str, dict[str, int]]:
    """Gold band (rows) against predicted band (columns, "none" for no estimate)."""
    names = [f"{low}-{high}" for low, high in TRL_BANDS]
    matrix = {gold: {predicted: 0 for predicted in names + ["none"]} for gold in names}
    for gold, predicted in pairs:
        matrix[names[_band(gold)]]["none" if predicted is None else names[_band(predicted)]] += 1
    return matrix


def _reliability(triples: list[tuple[int, int | None, float | None]]) -> dict[str, Any]:
    """Confidence bins against the share within one level, and the expected calibration error."""
    rated = [(gold, predicted, confidence) for gold, predicted, confidence in triples
             if predicted is not None and confidence is not None]
    bins, error = [], 0.0
    for low, high in zip(RELIABILITY_BINS[:-1], RELIABILITY_BINS[1:]):
        inside = [(g, p, c) for g, p, c in rated if low < c <= high or (low == 0.0 and c == 0.0)]
        if not inside:
            bins.append({"bin": f"{low:.1f}-{high:.1f}", "n": 0, "confidence": None, "within1": None})
            continue
        confidence = sum(c for _, _, c in inside) / len(inside)
        accuracy = sum(abs(g - p) <= 1 for g, p, _ in inside) / len(inside)
        error += len(inside) / len(rated) * abs(confidence - accuracy)
        bins.append({"bin": f"{low:.1f}-{high:.1f}", "n": len(inside), "confidence": confidence, "within1": accuracy})
    return {"bins": bins, "ece": error if rated else None, "n": len(rated)}


def _trl_summary(pairs: list[tuple[int, int | None]], genres: list[str | None]) -> dict[str, Any]:
    """Everything measured of one set of predictions: overall, per gold band, below market, per genre,
    the band confusion matrix and the abstention rate."""
    scores = _trl_scores(pairs)
    early = [(g, p) for g, p in pairs if g <= EARLY_TRL_MAX]
    per_band = {}
    for low, high in TRL_BANDS:
        band = [(g, p) for g, p in pairs if low <= g <= high]
        band_scores = _trl_scores(band)
        per_band[f"{low}-{high}"] = {"n": len(band), "exact": band_scores["exact"],
                                     "within1": band_scores["within1"]}
    per_genre = {}
    for genre in sorted({g for g in genres if g}):
        chosen = [pair for pair, g in zip(pairs, genres) if g == genre]
        genre_scores = _trl_scores(chosen)
        per_genre[genre] = {"n": len(chosen), "exact": genre_scores["exact"], "within1": genre_scores["within1"],
                            "band_accuracy": genre_scores["band_accuracy"]}
    return {
        "trl_n": len(pairs),
        "trl_unknown": sum(p is None for _, p in pairs),
        "trl_abstention_rate": _ratio(sum(p is None for _, p in pairs), len(pairs)),
        # Abstentions count as misses above; this is how far the estimates actually given can be trusted.
        "trl_within1_of_estimates": _ratio(sum(p is not None and abs(g - p) <= 1 for g, p in pairs),
                                           sum(p is not None for _, p in pairs)),
        **{f"trl_{name}": value for name, value in scores.items()},
        "trl_per_band": per_band,
        "trl_early_n": len(early),
        "trl_early_within1": _trl_scores(early)["within1"],
        "trl_per_genre": per_genre,
        "trl_band_confusion": _band_confusion(pairs),
    }


def _trl_metrics(triples: list[tuple[int, int | None, float | None]], genres: list[str | None]) -> dict[str, Any]:
    """(gold, predicted, confidence) triples: every figure, the reliability of the confidence, and the same
    figures for the constant TRL 9 baseline on the same passages."""
    pairs = [(gold, predicted) for gold, predicted, _ in triples]
    metrics = _trl_summary(pairs, genres)
    metrics["trl_reliability"] = _reliability(triples)
    baseline = _trl_summary([(gold, BASELINE_TRL) for gold, _ in pairs], genres)
    metrics["trl_baseline"] = {
        "level": BASELINE_TRL,
        **{name.removeprefix("trl_"): value for name, value in baseline.items()
           if name not in ("trl_n", "trl_unknown", "trl_abstention_rate")},
    }
    metrics["trl_baseline"]["early_within1"] = baseline["trl_early_within1"]
    return metrics


def _prediction(value: Any) -> tuple[int | None, float | None]:
    if isinstance(value, tuple):
        return value[0], value[1]
    return value, None


def _country_metrics(pairs: list[tuple[str, str | None]]) -> dict[str, Any]:
    """pairs of (gold, predicted) on records with a gold country; silence is not an error of precision."""
    answered = [(g, p) for g, p in pairs if p is not None]
    correct = sum(g.upper() == p.upper() for g, p in answered)
    return {"country_n": len(pairs), "country_answered": len(answered),
            "country_precision": _ratio(correct, len(answered)), "country_accuracy": _ratio(correct, len(pairs))}


def evaluate(records: list[dict], tag_fn: TagFn, trl_fn: TRLFn, country_fn: CountryFn | None = None,
             genre_fn: GenreFn | None = None) -> dict[str, Any]:
    """Compare predictions with gold labels.

    ``tag_fn(record)`` returns predicted application ids; ``trl_fn(record)`` a level or None, or (level,
    confidence); ``country_fn(record)``, when given, an ISO alpha-2 code or None, scored on records with a
    gold ``country``; ``genre_fn(record)``, when given, the predicted genre, scored on records with a gold
    ``genre`` (TRL figures per genre use the gold genre).
    """
    golds, predictions, trl_triples, trl_genres, country_pairs, genre_pairs = [], [], [], [], [], []
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
            level, confidence = _prediction(trl_fn(record))
            trl_triples.append((int(record["trl"]), level, confidence))
            trl_genres.append(record.get("genre"))
        if country_fn is not None and record.get("country"):
            country_pairs.append((str(record["country"]), country_fn(record)))
        if genre_fn is not None and record.get("genre"):
            genre_pairs.append((record["genre"], genre_fn(record)))
    metrics = {"n": len(records)}
    metrics.update(_application_metrics(golds, predictions))
    metrics["neighbour_confusions"] = _neighbour_confusions(golds, predictions, metrics["confusions"])
    metrics.update(_trl_metrics(trl_triples, trl_genres))
    if country_fn is not None:
        metrics.update(_country_metrics(country_pairs))
    if genre_pairs:
        metrics["genre_n"] = len(genre_pairs)
        metrics["genre_accuracy"] = _ratio(sum(g == p for g, p in genre_pairs), len(genre_pairs))
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
        "TRL per gold band:  " + "  ".join(
            f"{band} (n={m['n']}) exact {m['exact']:.3f} within±1 {m['within1']:.3f}"
            for band, m in metrics["trl_per_band"].items()),
        f"TRL gold ≤ {EARLY_TRL_MAX} (n={metrics['trl_early_n']})  within±1 {metrics['trl_early_within1']:.3f}",
        f"TRL abstained on {metrics['trl_abstention_rate']:.0%} of passages with a gold level; "
        f"of the estimates given, {metrics['trl_within1_of_estimates']:.3f} within±1",
        f"baseline TRL {metrics['trl_baseline']['level']} for all:  exact {metrics['trl_baseline']['exact']:.3f}"
        f"  within±1 {metrics['trl_baseline']['within1']:.3f}  band {metrics['trl_baseline']['band_accuracy']:.3f}"
        f"  MAE {metrics['trl_baseline']['mae']:.2f}"
        f"  within±1 on gold ≤ {EARLY_TRL_MAX} {metrics['trl_baseline']['early_within1']:.3f}",
        "baseline per gold band:  " + "  ".join(
            f"{band} (n={m['n']}) exact {m['exact']:.3f} within±1 {m['within1']:.3f}"
            for band, m in metrics["trl_baseline"]["per_band"].items()),
        "",
        "per application:  id     P     R    F1  support",
    ]
    for app, m in metrics["per_application"].items():
        lines.append(
            f"                  {app}  {m['precision']:.2f}  {m['recall']:.2f}  {m['f1']:.2f}  {m['support']:>3}"
        )
    if "country_n" in metrics:
        lines.insert(3, f"country (n={metrics['country_n']}, answered {metrics['country_answered']})"
                        f"  precision {metrics['country_precision']:.3f}  accuracy {metrics['country_accuracy']:.3f}")
    if "genre_accuracy" in metrics:
        lines.insert(3, f"genre (n={metrics['genre_n']})  accuracy {metrics['genre_accuracy']:.3f}")
    if metrics["trl_per_genre"]:
        lines += ["", "TRL per gold genre:     n  exact  within±1  band   (baseline TRL 9: exact  within±1  band)"]
        for genre, m in metrics["trl_per_genre"].items():
            b = metrics["trl_baseline"]["per_genre"][genre]
            lines.append(f"  {genre:<16} {m['n']:>4}  {m['exact']:.3f}  {m['within1']:.3f}     {m['band_accuracy']:.3f}"
                         f"                  {b['exact']:.3f}  {b['within1']:.3f}     {b['band_accuracy']:.3f}")
    lines += ["", "TRL bands, gold (rows) × estimated (columns):",
              "         " + "".join(f"{name:>7}" for name in next(iter(metrics["trl_band_confusion"].values())))]
    lines += [f"  {gold:<7}" + "".join(f"{count:>7}" for count in row.values())
              for gold, row in metrics["trl_band_confusion"].items()]
    reliability = metrics["trl_reliability"]
    if reliability["n"]:
        lines += ["", f"TRL confidence reliability (n={reliability['n']}, expected calibration error "
                      f"{reliability['ece']:.3f}): bin, n, mean confidence, share within ±1"]
        lines += [f"  {b['bin']}  {b['n']:>4}" + (f"  {b['confidence']:.2f}  {b['within1']:.2f}" if b["n"] else "")
                  for b in reliability["bins"]]
    lines += ["", "neighbouring applications (passages about one tagged with the other):"]
    lines += [f"  {pair}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              for pair, counts in metrics["neighbour_confusions"].items()]
    if metrics["confusions"]:
        lines += ["", "confusions (gold missed -> predicted instead, count):"]
        lines += [f"  {gold} -> {predicted}: {count}" for gold, predicted, count in metrics["confusions"]]
    return "\n".join(lines)
