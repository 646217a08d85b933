"""Learn the analysis models from labelled passages: which applications a page is about
(indexer/analysis/models/tagging.json) and its maturity (models/maturity.json).

    python -m indexer.analysis.training eval/train.jsonl

Only the train split is read: cross-validated figures on it choose the regularisation, thresholds,
the probability temperature and the abstention threshold, and are printed as fit figures. The dev
and test splits are never read here (see eval/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np

from indexer.analysis.language import detect_language
from indexer.analysis.embedding_model import embed
from indexer.analysis.evaluation import EvaluationDataError, load_jsonl
from indexer.analysis.maturity import GENRES, LEVELS, PageEvidence, opening, read_evidence, with_bands
from indexer.analysis.maturity import MODEL_FILE as MATURITY_FILE
from indexer.analysis.tag_model import FEATURES as TAG_FEATURES
from indexer.analysis.tag_model import MODEL_FILE as TAGGING_FILE
from indexer.analysis.tag_model import PAGE_FEATURES, RELATIVE_SHARE, candidate_features, page_features
from indexer.analysis.regulatory import default_reader
from indexer.analysis.sentences import split_sentences

FOLDS = 5
SEED = 13
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
MAX_NEGATIVES_TAGGED = 0.10
TEMPERATURES = tuple(np.round(np.arange(0.5, 2.51, 0.1), 2))


def passage_evidence(texts: list[str]) -> list[PageEvidence]:
    """What production reads from passages: language detected, never taken from the label."""
    vectors = embed([opening(text) for text in texts])
    result = []
    for text, vector in zip(texts, vectors):
        language = detect_language(text)
        sentences = split_sentences(text, language)
        regulatory, _ = default_reader().read(sentences)
        result.append(read_evidence(sentences, regulatory, language, vector))
    return result


def _matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    return np.array([[row.get(name, 0.0) for name in names] for row in rows], dtype=np.float64)


def _fit(x: np.ndarray, y: np.ndarray, c: float = 1.0, *, balanced: bool = False):
    """Standardise the features (constant ones kept as they are), then fit a logistic model.

    ``balanced`` weighs classes inversely to their frequency (genres and TRL levels are uneven)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scaler.scale_[scaler.scale_ == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
    return scaler, model.fit(scaler.transform(x), y)


def _out_of_fold(x: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    """Cross-validated probabilities (columns in the order of np.unique(y))."""
    from sklearn.model_selection import StratifiedKFold

    classes = np.unique(y)
    result = np.zeros((len(y), len(classes)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, held in folds.split(x, y):
        scaler, model = _fit(x[train], y[train], c, balanced=True)
        columns = [list(classes).index(k) for k in model.classes_]
        result[np.ix_(held, columns)] = model.predict_proba(scaler.transform(x[held]))
    return result


def _spec(scaler, model, names: list[str], temperature: float = 1.0) -> dict:
    return {"features": names, "classes": [k.item() if hasattr(k, "item") else k for k in model.classes_],
            "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "coef": (model.coef_ / temperature).tolist(), "intercept": (model.intercept_ / temperature).tolist()}


def _tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(probabilities, 1e-12, 1)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def _window_confidence(probabilities: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted level and the probability mass within one level of it, per row."""
    full = np.zeros((len(probabilities), len(LEVELS)))
    for column, level in enumerate(classes):
        full[:, int(level) - 1] = probabilities[:, column]
    predicted = full.argmax(axis=1) + 1
    confidence = np.array([full[i, max(p - 2, 0): p + 1].sum() for i, p in enumerate(predicted)])
    return predicted, confidence


def abstention_threshold(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Abstain where estimates are more likely wrong than right (within one level): the confidence below
    which abstaining keeps the most right estimates net of wrong ones (ties: abstain less)."""
    thresholds = np.round(np.arange(0.0, 0.8, 0.05), 2)
    net_right = [float((2 * correct[confidence >= t] - 1).sum()) for t in thresholds]
    return float(thresholds[int(np.argmax(net_right))])


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)


def train(rows: list[dict], log=print) -> dict:
    evidence = passage_evidence([row["text"] for row in rows])
    base_names = sorted(evidence[0].features)
    x_all = _matrix([e.features for e in evidence], base_names)
    genres = np.array([row["genre"] for row in rows])

    best_genre = max(C_GRID, key=lambda c: (_out_of_fold(x_all, genres, c).argmax(1) ==
                                            np.searchsorted(np.unique(genres), genres)).mean())
    genre_oof = _out_of_fold(x_all, genres, best_genre)
    genre_accuracy = float((genre_oof.argmax(1) == np.searchsorted(np.unique(genres), genres)).mean())
    log(f"genre: C={best_genre}, cross-validated accuracy {genre_accuracy:.3f} (n={len(rows)})")

    with_trl = np.array([row.get("trl") is not None and bool(row.get("applications")) for row in rows])
    genre_names = [f"p_{g}" for g in np.unique(genres)]
    names = base_names + genre_names
    x_trl = np.hstack([x_all, genre_oof])[with_trl]
    levels = np.array([row["trl"] for row in rows])[with_trl].astype(int)
    trl_classes = np.unique(levels)

    bands = (levels - 1) // 3 + 1
    level_oof = {c: _out_of_fold(x_trl, levels, c) for c in C_GRID}
    band_oof = {c: _out_of_fold(x_trl, bands, c) for c in C_GRID}

    def cv_scores(c_level: float, c_band: float) -> tuple[float, float, np.ndarray]:
        oof = with_bands(level_oof[c_level], band_oof[c_band], trl_classes)
        predicted, _ = _window_confidence(oof, trl_classes)
        return float((abs(predicted - levels) <= 1).mean()), float((predicted == levels).mean()), oof

    scored = {(cl, cb): cv_scores(cl, cb) for cl in C_GRID for cb in C_GRID}
    best_trl, best_band = max(scored, key=lambda cs: (scored[cs][0] + scored[cs][1], -cs[0], -cs[1]))
    within, exact, oof = scored[(best_trl, best_band)]
    level_only = _window_confidence(level_oof[best_trl], trl_classes)[0]
    log(f"TRL levels alone (C={best_trl}): within ±1 {(abs(level_only - levels) <= 1).mean():.3f}, "
        f"exact {(level_only == levels).mean():.3f}; with the band model (C={best_band}) as below")
    predicted, _ = _window_confidence(oof, trl_classes)
    correct = (abs(predicted - levels) <= 1).astype(float)
    temperature = min(TEMPERATURES, key=lambda t: expected_calibration_error(
        _window_confidence(_tempered(oof, t), trl_classes)[1], correct))
    _, confidence = _window_confidence(_tempered(oof, temperature), trl_classes)
    ece = expected_calibration_error(confidence, correct)
    abstain_below = abstention_threshold(confidence, correct)
    kept = confidence >= abstain_below
    band_accuracy = float((((predicted - 1) // 3) == ((levels - 1) // 3)).mean())
    log(f"TRL: C={best_trl}, bands C={best_band}, temperature {temperature}, cross-validated on train "
        f"(n={len(levels)}): within ±1 {within:.3f}, exact {exact:.3f}, band {band_accuracy:.3f}, ECE {ece:.3f}; "
        f"abstain below {abstain_below} ({1 - kept.mean():.1%} abstained, within ±1 of the rest "
        f"{correct[kept].mean():.3f})")

    genre_scaler, genre_model = _fit(x_all, genres, best_genre, balanced=True)
    # The TRL model learns from out-of-fold genre probabilities: the ones it will see on unseen pages.
    trl_scaler, trl_model = _fit(x_trl, levels, best_trl, balanced=True)
    band_scaler, band_model = _fit(x_trl, bands, best_band, balanced=True)
    spec = {
        "genre": _spec(genre_scaler, genre_model, base_names),
        "trl": _spec(trl_scaler, trl_model, names, temperature),
        "band": _spec(band_scaler, band_model, names, temperature),
        "abstain_below": abstain_below,
        "listing_threshold": 0.5,
        "trained_on": {"passages": len(rows), "with_trl": int(with_trl.sum()),
                       "cross_validated": {"genre_accuracy": round(genre_accuracy, 3), "trl_within_1": round(within, 3),
                                           "trl_exact": round(exact, 3), "trl_band": round(band_accuracy, 3),
                                           "ece": round(ece, 3)}},
    }
    spec["version"] = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return spec


def _fold_of(n: int) -> np.ndarray:
    return np.random.default_rng(SEED).permutation(n) % FOLDS


def _centroids(openings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per application, the normalised mean opening of the passages about it (zeros where none), and
    last that of the passages about none."""
    labels = np.hstack([labels, ~labels.any(axis=1, keepdims=True)])
    sums = labels.T.astype(np.float64) @ openings
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)


def _tags_from(probabilities: np.ndarray, threshold: float, eligible: np.ndarray) -> np.ndarray:
    """As TaggingModel.decide does: eligible applications at the threshold, not dwarfed by the best one."""
    probabilities = np.where(eligible, probabilities, 0.0)
    top = probabilities.max(axis=1, keepdims=True)
    return eligible & (probabilities >= threshold) & (probabilities >= RELATIVE_SHARE * top)


def _micro_f1(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((predicted & gold).sum())
    precision = tp / max(predicted.sum(), 1)
    recall = tp / max(gold.sum(), 1)
    return (2 * precision * recall / (precision + recall) if precision + recall else 0.0), precision, recall


def train_tagging(rows: list[dict], log=print) -> dict:
    from indexer.analysis.analyser import TextAnalyser

    analyser = TextAnalyser()
    pages = analyser.read([row["text"] for row in rows])
    apps = list(analyser.tagger.applications)
    gold = np.array([[app in row["applications"] for app in apps] for row in rows])
    openings = np.array([page.opening / max(np.linalg.norm(page.opening), 1e-9) for page in pages])
    folds = _fold_of(len(rows))
    # Centroid signals of a passage come from the other folds only, as they will for an unseen page.
    features = np.zeros((len(rows), len(apps), len(TAG_FEATURES)))
    for fold in range(FOLDS):
        centroids = _centroids(openings[folds != fold], gold[folds != fold])
        for i in np.flatnonzero(folds == fold):
            features[i] = candidate_features(pages[i], analyser.space, centroids, apps)

    def fit(rows_in: np.ndarray, c: float):
        return _fit(features[rows_in].reshape(-1, len(TAG_FEATURES)), gold[rows_in].ravel(), c)

    def out_of_fold(c: float) -> np.ndarray:
        result = np.zeros(gold.shape)
        for fold in range(FOLDS):
            scaler, model = fit(folds != fold, c)
            held = folds == fold
            x = features[held].reshape(-1, len(TAG_FEATURES))
            result[held] = model.predict_proba(scaler.transform(x))[:, 1].reshape(-1, len(apps))
        return result

    negatives = ~gold.any(axis=1)
    about_any = gold.any(axis=1)
    eligible = np.array([[app in page.lexical.eligible for app in apps] for page in pages])

    def gate_out_of_fold(probabilities: np.ndarray, fold_centroids: list[np.ndarray]) -> np.ndarray:
        x = np.array([page_features(pages[i], fold_centroids[folds[i]], probabilities[i]) for i in range(len(rows))])
        result = np.zeros(len(rows))
        for fold in range(FOLDS):
            scaler, model = _fit(x[folds != fold], about_any[folds != fold])
            result[folds == fold] = model.predict_proba(scaler.transform(x[folds == fold]))[:, 1]
        return result

    fold_centroids = [_centroids(openings[folds != fold], gold[folds != fold]) for fold in range(FOLDS)]
    thresholds = np.round(np.arange(0.1, 0.95, 0.05), 3)
    best = None
    for c in C_GRID:
        oof = out_of_fold(c)
        gate = gate_out_of_fold(oof, fold_centroids)
        for gate_threshold in thresholds:
            for threshold in thresholds:
                predicted = _tags_from(oof, threshold, eligible) & (gate >= gate_threshold)[:, None]
                # Pages about no application must stay untagged: scouts filter by application.
                if predicted[negatives].any(axis=1).mean() > MAX_NEGATIVES_TAGGED:
                    continue
                f1, precision, recall = _micro_f1(predicted, gold)
                if best is None or f1 > best[0]:
                    best = (f1, precision, recall, c, float(threshold), float(gate_threshold), oof, predicted)
    f1, precision, recall, c, threshold, gate_threshold, oof, predicted = best
    per_app_f1 = [_micro_f1(predicted[:, j], gold[:, j])[0] for j in range(len(apps)) if gold[:, j].any()]
    log(f"tags: C={c}, threshold {threshold}, page gate {gate_threshold}, cross-validated on train "
        f"(n={len(rows)}): micro-F1 {f1:.3f} (P {precision:.3f} / R {recall:.3f}), macro-F1 "
        f"{np.mean(per_app_f1):.3f}, negatives tagged {predicted[negatives].any(axis=1).mean():.1%}")
    # The gate learns from out-of-fold candidate probabilities: the ones it will see on unseen pages.
    gate_x = np.array([page_features(pages[i], fold_centroids[folds[i]], oof[i]) for i in range(len(rows))])
    gate_scaler, gate_model = _fit(gate_x, about_any)
    scaler, model = fit(np.ones(len(rows), dtype=bool), c)
    spec = {"applications": apps, "features": list(TAG_FEATURES),
            "centroids": np.round(_centroids(openings, gold), 6).tolist(),
            "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]), "threshold": threshold,
            "gate": {"features": list(PAGE_FEATURES), "mean": gate_scaler.mean_.tolist(),
                     "scale": gate_scaler.scale_.tolist(), "coef": gate_model.coef_[0].tolist(),
                     "intercept": float(gate_model.intercept_[0]), "threshold": gate_threshold},
            "trained_on": {"passages": len(rows), "cross_validated": {
                "micro_f1": round(f1, 3), "precision": round(precision, 3), "recall": round(recall, 3),
                "macro_f1": round(float(np.mean(per_app_f1)), 3)}}}
    spec["version"] = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return spec


def _write(spec: dict, name: str, directory: Path | None) -> Path:
    output = (directory or Path(str(resources.files("indexer.analysis"))) / "models") / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path, help="the train split (JSON lines with text, genre, applications, trl)")
    parser.add_argument("-o", "--output-dir", type=Path, default=None, help="where to write the models")
    args = parser.parse_args(argv)
    try:
        rows = load_jsonl(args.train)
    except EvaluationDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    unknown = {row.get("genre") for row in rows} - set(GENRES)
    if unknown:
        print(f"{args.train}: unknown or missing genres {sorted(map(str, unknown))}", file=sys.stderr)
        return 2
    for spec, name in ((train_tagging(rows), TAGGING_FILE), (train(rows), MATURITY_FILE)):
        print(f"wrote {_write(spec, name, args.output_dir)} (version {spec['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
