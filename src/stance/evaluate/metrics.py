"""Evaluation metrics as pure functions over label lists (macro-F1 as in NewsMTSC: over all three classes).

Gold and predicted values outside `labels` are allowed: a gold "spurious" (a predicted pair with no gold
pair) counts against the precision of the label predicted for it, a predicted "missed" (a gold pair the
pipeline did not find) against the recall of its gold label; neither is ever correct.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from stance.evaluate.units import ResamplingUnits, each_row


def polar_labels(labels: list[str]) -> list[str]:
    """The labels F1± averages over: all but neutral (against and favor). F1± is F_avg, the mean of the F1 of
    favor and of against, SemEval-2016 Task 6's and P-Stance's measure (precision over every prediction)."""
    return [label for label in labels if label != "neutral"]


def classification_metrics(gold: list[str], predicted: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1 over `labels`, F_avg (`f1_polar`: mean F1 of against and favor), per-class P/R/F1,
    support."""
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    polar = polar_labels(labels)
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)) if gold else 0.0,
        "f1_macro": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "f1_polar": float(f1_score(gold, predicted, labels=polar, average="macro", zero_division=0)),
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
    }


def vocabulary(labels: list[str], *values: list[str]) -> list[str]:
    """`labels` first, then any other value seen (e.g. "spurious", "missed"), sorted."""
    extra = sorted({v for seq in values for v in seq} - set(labels))
    return list(labels) + extra


def label_ids(gold: list[str], predicted: list[str], vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Gold and predicted values as indices into `vocab` (every value must be in it)."""
    index = {label: i for i, label in enumerate(vocab)}
    return np.array([index[v] for v in gold], dtype=np.int64), np.array([index[v] for v in predicted], dtype=np.int64)


def confusion_matrix(gold: list[str], predicted: list[str], vocab: list[str]) -> np.ndarray:
    """Counts [gold row, predicted column] over `vocab` (every value must be in it)."""
    g, p = label_ids(gold, predicted, vocab)
    return np.bincount(g * len(vocab) + p, minlength=len(vocab) ** 2).reshape(len(vocab), len(vocab))


def confusion_table(gold: list[str], predicted: list[str], labels: list[str]) -> dict:
    """Confusion counts with rows `labels` + other gold values, columns `labels` + other predicted values."""
    rows, columns, vocab = vocabulary(labels, gold), vocabulary(labels, predicted), vocabulary(labels, gold, predicted)
    square = confusion_matrix(gold, predicted, vocab)
    matrix = square[np.ix_([vocab.index(r) for r in rows], [vocab.index(c) for c in columns])]
    return {"gold": rows, "predicted": columns, "matrix": matrix.tolist()}


def _prf_from_confusion(matrix: np.ndarray, label_ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 (0 where undefined) from [..., gold, predicted] counts."""
    tp = np.stack([matrix[..., i, i] for i in label_ids], axis=-1).astype(float)
    predicted = np.stack([matrix[..., :, i].sum(-1) for i in label_ids], axis=-1)
    actual = np.stack([matrix[..., i, :].sum(-1) for i in label_ids], axis=-1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return precision, recall, f1


def macro_f1(gold: list[str], predicted: list[str], labels: list[str]) -> float:
    """Mean F1 over `labels`; a label never in gold nor predicted scores 0 (as sklearn, zero_division=0)."""
    if not labels:
        return 0.0
    vocab = vocabulary(labels, gold, predicted)
    _, _, f1 = _prf_from_confusion(confusion_matrix(gold, predicted, vocab), [vocab.index(x) for x in labels])
    return float(f1.mean())


def present_labels(gold: list[str], labels: list[str]) -> list[str]:
    """The labels that occur in the gold, in `labels` order."""
    seen = set(gold)
    return [label for label in labels if label in seen]


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> dict:
    """ECE over equal-width confidence bins (bin k holds (k/bins, (k+1)/bins]), plus the bins themselves."""
    confidence, correct = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    table, ece = [], 0.0
    for k in range(bins):
        inside = which == k
        count = int(inside.sum())
        conf = float(confidence[inside].mean()) if count else None
        acc = float(correct[inside].mean()) if count else None
        if count:
            ece += count / len(confidence) * abs(acc - conf)
        table.append({"lower": k / bins, "upper": (k + 1) / bins, "count": count, "confidence": conf, "accuracy": acc})
    return {"ece": float(ece) if len(confidence) else None, "bins": table}


def unit_draws(units: ResamplingUnits, resamples: int, seed: int) -> np.ndarray:
    """[resamples, units]: how often each unit is drawn when `units.count` units are drawn with replacement
    (a seeded generator; with one unit per row, the same draws as resampling rows)."""
    m = units.count
    picks = np.random.default_rng(seed).integers(0, m, size=(resamples, m))
    cells = np.arange(resamples)[:, None] * m + picks
    return np.bincount(cells.ravel(), minlength=resamples * m).reshape(resamples, m)


def resampled_confusions(g: np.ndarray, p: np.ndarray, k: int, units: ResamplingUnits, draws: np.ndarray) -> np.ndarray:
    """[len(draws), k, k] confusion counts of each resample: a drawn unit brings all its rows, so no resample
    ever holds part of a document."""
    per_unit = np.bincount(units.ids * k * k + g * k + p, minlength=units.count * k * k)
    return (draws @ per_unit.reshape(units.count, k * k)).reshape(len(draws), k, k)


def _scores(matrices: np.ndarray, vocab: list[str], f1_sets: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Accuracy and macro-F1 over each named label subset, per confusion matrix."""
    totals = matrices.sum(axis=(1, 2))
    out = {"accuracy": np.trace(matrices, axis1=1, axis2=2) / np.maximum(totals, 1)}
    for name, subset in f1_sets.items():
        ids = [vocab.index(x) for x in subset]
        out[name] = _prf_from_confusion(matrices, ids)[2].mean(axis=1) if ids else np.full(len(matrices), np.nan)
    return out


def _interval(values: np.ndarray, level: float) -> list[float | None]:
    if np.isnan(values).all():
        return [None, None]
    tail = (1 - level) / 2 * 100
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


def bootstrap_ci(
    gold: list[str], predicted: list[str], labels: list[str], resamples: int = 1000, seed: int = 0, level: float = 0.95,
    f1_sets: dict[str, list[str]] | None = None, units: ResamplingUnits | None = None,
) -> dict:
    """Percentile bootstrap intervals for accuracy and macro-F1 over `labels` (plus macro-F1 over each named
    label subset in `f1_sets`, e.g. the labels present or against+favor), resampling `units` (documents,
    claims; each row by default) with a seeded generator; every interval comes from the same resamples."""
    f1_sets = {"f1_macro": list(labels), **(f1_sets or {})}
    units = units if units is not None else each_row(len(gold))
    result: dict = {"resamples": resamples, "seed": seed, "level": level, "resampled": units.describe()}
    if not gold:
        return dict(result, accuracy=[None, None], **{name: [None, None] for name in f1_sets})
    vocab = vocabulary(labels, gold, predicted)
    g, p = label_ids(gold, predicted, vocab)
    matrices = resampled_confusions(g, p, len(vocab), units, unit_draws(units, resamples, seed))
    return dict(result, **{name: _interval(values, level) for name, values in _scores(matrices, vocab, f1_sets).items()})


def cohens_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two labelings of the same items; None for no items, 1.0 if chance agreement is 1."""
    if not a:
        return None
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    return 1.0 if expected == 1 else float((observed - expected) / (1 - expected))


def detection_scores(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall and F1 from counts (0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def claim_split_agreement(gold: set[tuple[int, int]], predicted: set[tuple[int, int]]) -> dict:
    """How far a claim split matches the gold split: claims whose [start, end) spans are identical, as
    precision (of the predicted claims), recall (of the gold claims, reported as `agreement`) and F1."""
    exact = len(gold & predicted)
    scores = detection_scores(exact, len(predicted) - exact, len(gold) - exact)
    return {"gold": len(gold), "predicted": len(predicted), "exact": exact,
            "agreement": exact / len(gold) if gold else None,
            "precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"]}


def jaccard(a: set, b: set) -> float:
    """|a & b| / |a | b|; two empty sets agree fully (1.0)."""
    return len(a & b) / len(a | b) if a | b else 1.0


def per_actor(gold: list[str], predicted: list[str], actors: list[str | None]) -> dict:
    """Per actor: pairs, accuracy, and gold/predicted label counts; most frequent actors first."""
    groups: dict[str, list[int]] = {}
    for i, actor in enumerate(actors):
        groups.setdefault(actor or "(none)", []).append(i)
    table = {}
    for actor, rows in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        table[actor] = {
            "n": len(rows),
            "accuracy": sum(gold[i] == predicted[i] for i in rows) / len(rows),
            "gold": dict(Counter(gold[i] for i in rows)),
            "predicted": dict(Counter(predicted[i] for i in rows)),
        }
    return table


def evaluation_metrics(
    gold: list[str], predicted: list[str], labels: list[str], confidence: list[float | None] | None = None,
    actors: list[str | None] | None = None, resamples: int = 1000, seed: int = 0, bins: int = 10,
    units: ResamplingUnits | None = None,
) -> dict:
    """Everything the report shows for one system on one set.

    `confidence` is the max probability per row (None for a row without a prediction, e.g. a missed pair:
    those rows are left out of the calibration error); None for a system without probabilities. `units`: what
    the intervals resample (`stance.evaluate.units`; each row by default), named in "resampled".
    """
    metrics = classification_metrics(gold, predicted, labels)
    present = present_labels(gold, labels)
    intervals = bootstrap_ci(gold, predicted, labels, resamples, seed, units=units, f1_sets={
        "f1_macro_present": present, "f1_polar": polar_labels(labels)})
    metrics.update({
        "f1_macro_present": macro_f1(gold, predicted, present),
        "labels_present": present,
        "resampled": intervals["resampled"],
        "bootstrap_ci": intervals,
        "confusion": confusion_table(gold, predicted, labels),
        "calibration": None,
        "per_actor": per_actor(gold, predicted, actors) if actors is not None else None,
    })
    if confidence is not None:
        rows = [i for i, c in enumerate(confidence) if c is not None]
        if rows:
            correct = np.array([gold[i] == predicted[i] for i in rows])
            metrics["calibration"] = expected_calibration_error(np.array([confidence[i] for i in rows]), correct, bins)
    return metrics


def label_agreement(a_rows: list[dict], b_rows: list[dict], labels: list[str] = ()) -> dict:
    """Two gold-format label files compared: Cohen's kappa on the stance of the (claim, actor) pairs both
    have (claims keyed by doc_id and span, actors by canonical name), how far their actor sets overlap, and
    kappa on the sentiment of the claims both have. `labels` orders the confusion table."""

    def index(rows: list[dict]) -> tuple[dict[tuple, dict[str, str | None]], dict[tuple, str | None]]:
        claims: dict[tuple, dict[str, str | None]] = {}
        sentiment: dict[tuple, str | None] = {}
        for row in rows:
            key = (row.get("doc_id") or "", int(row["start"]), int(row["end"]))
            actors = claims.setdefault(key, {})
            sentiment.setdefault(key, row.get("sentiment"))
            if row.get("actor") is not None:
                actors[row["actor"]] = row.get("stance")
        return claims, sentiment

    (a, sentiment_a), (b, sentiment_b) = index(a_rows), index(b_rows)
    tones = [(sentiment_a[c], sentiment_b[c]) for c in sorted(a.keys() & b.keys())
             if sentiment_a[c] is not None and sentiment_b[c] is not None]
    pairs_a = {(claim, actor) for claim, actors in a.items() for actor in actors}
    pairs_b = {(claim, actor) for claim, actors in b.items() for actor in actors}
    shared = sorted(pairs_a & pairs_b)
    stances = [(a[c][x], b[c][x]) for c, x in shared if a[c][x] is not None and b[c][x] is not None]
    first, second = [s for s, _ in stances], [s for _, s in stances]
    per_claim = [
        {"doc_id": c[0], "start": c[1], "end": c[2], "jaccard": jaccard(set(a[c]), set(b[c])),
         "only_a": sorted(set(a[c]) - set(b[c])), "only_b": sorted(set(b[c]) - set(a[c]))}
        for c in sorted(a.keys() & b.keys())
    ]
    return {
        "claims": {"a": len(a), "b": len(b), "shared": len(per_claim), "only_a": len(a.keys() - b.keys()),
                   "only_b": len(b.keys() - a.keys())},
        "pairs": {"a": len(pairs_a), "b": len(pairs_b), "shared": len(shared), "only_a": len(pairs_a - pairs_b),
                  "only_b": len(pairs_b - pairs_a), "jaccard": jaccard(pairs_a, pairs_b)},
        "actor_jaccard_mean_per_claim": float(np.mean([c["jaccard"] for c in per_claim])) if per_claim else None,
        "stance": {"n": len(stances), "kappa": cohens_kappa(first, second),
                   "observed_agreement": sum(x == y for x, y in stances) / len(stances) if stances else None,
                   "confusion": confusion_table(first, second, vocabulary(list(labels), first, second))},
        "sentiment": {"n": len(tones), "kappa": cohens_kappa([x for x, _ in tones], [y for _, y in tones]),
                      "observed_agreement": sum(x == y for x, y in tones) / len(tones) if tones else None},
        "per_claim": per_claim,
    }


def paired_bootstrap_difference(
    gold: list[str], predicted_a: list[str], predicted_b: list[str], labels: list[str], resamples: int = 1000,
    seed: int = 0, level: float = 0.95, units: ResamplingUnits | None = None,
) -> dict:
    """B minus A on the same rows: accuracy, macro-F1 (all labels, those present in the gold, against+favor),
    each with a percentile bootstrap interval of the difference. Both systems are scored on the same resampled
    units (documents, claims; each row by default), so the interval reflects how much the two disagree, not
    each one's own spread."""
    subsets = {"f1_macro": list(labels), "f1_macro_present": present_labels(gold, labels),
               "f1_polar": polar_labels(labels)}
    units = units if units is not None else each_row(len(gold))
    result: dict = {"n": len(gold), "resamples": resamples, "seed": seed, "level": level,
                    "resampled": units.describe()}
    for key in ("accuracy", *subsets):
        result[key] = {"difference": None, "ci": [None, None]}
    if not gold:
        return result
    vocab = vocabulary(labels, gold, predicted_a, predicted_b)
    g, a = label_ids(gold, predicted_a, vocab)
    _, b = label_ids(gold, predicted_b, vocab)
    # row 0: the sample itself (every unit once); the others: resamples
    draws = np.vstack([np.ones((1, units.count), dtype=np.int64), unit_draws(units, resamples, seed)])
    first, second = (_scores(resampled_confusions(g, x, len(vocab), units, draws), vocab, subsets) for x in (a, b))
    for key in first:
        delta = second[key] - first[key]
        if np.isnan(delta[0]):
            continue
        result[key] = {"difference": float(delta[0]), "ci": _interval(delta[1:], level)}
    return result
