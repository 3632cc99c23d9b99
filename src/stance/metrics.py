"""Classification metrics over the label set (macro-F1 as in NewsMTSC: over all three classes)."""
from __future__ import annotations

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def classification_metrics(gold: list[str], predicted: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1 over `labels`, F1 over against+favor, per-class P/R/F1, support."""
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    polar = [label for label in labels if label != "neutral"]
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
