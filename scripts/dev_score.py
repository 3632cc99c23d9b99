"""Macro-F1 of saved models on the dev sets of a data config (the selection metric: their mean).

    python scripts/dev_score.py MODEL_DIR [MODEL_DIR ...] [data=mix]

Used to choose the shipped model among candidates by dev only (never test). Two means are printed: over the
dev sets as configured, and over sources, NewsMTSC's two dev sets (dev_rw, dev_mt) counted as one source.
"""
from __future__ import annotations

import sys

import numpy as np

from stance.config import compose
from stance.model.classifier import load_classifier
from stance.train.run import evaluate_sets, load_data

SOURCE_OF = {"dev_rw": "newsmtsc", "dev_mt": "newsmtsc"}  # other dev sets are a source each


def by_source(results: dict) -> float:
    sources: dict[str, list[float]] = {}
    for name, m in results.items():
        sources.setdefault(SOURCE_OF.get(name, name), []).append(m["f1_macro"])
    return float(np.mean([np.mean(values) for values in sources.values()]))


def main(argv: list[str]) -> None:
    dirs = [a for a in argv if "=" not in a]
    cfg = compose("train", [a for a in argv if "=" in a] or ["data=mix"])
    _, dev_sets, _ = load_data(cfg, ["against", "neutral", "favor"])
    for model_dir in dirs:
        loaded = load_classifier(model_dir)
        results = evaluate_sets(loaded, dev_sets, 64)
        sets = " ".join(f"{name} {m['f1_macro']:.4f}" for name, m in results.items())
        print(f"{model_dir}: mean dev F1m over sets {np.mean([m['f1_macro'] for m in results.values()]):.4f}, "
              f"over sources {by_source(results):.4f} ({sets})")


if __name__ == "__main__":
    main(sys.argv[1:])
