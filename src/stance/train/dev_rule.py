"""The one rule that chooses between models and epochs: the mean over dev *sources* of each source's score,
a source's score being the mean over its dev sets of macro-F1 over the labels present in that set's gold.

Sets of one source (NewsMTSC's dev_rw and dev_mt) name it in their config (`group: newsmtsc`); a set
without a group is a source of its own. Macro-F1 over the labels present is the dataset's own measure
for P-Stance (F_avg: no neutral in its gold, a neutral prediction still counts as an error) and plain
macro-F1 for every set that has all three labels. Training (best epoch), scripts and the README use this.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score


def set_score(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 over the labels present in `gold` (label ids or names)."""
    present = sorted(set(np.asarray(gold).tolist()))
    if not present:
        return float("nan")
    return float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0))


def dev_rule(set_scores: dict[str, float], groups: dict[str, str]) -> float:
    """The mean over sources of the mean of their sets' scores; `groups` maps a set to its source."""
    by_source: dict[str, list[float]] = {}
    for name, score in set_scores.items():
        by_source.setdefault(groups.get(name) or name, []).append(score)
    return float(np.mean([np.mean(scores) for scores in by_source.values()]))


def dev_rule_of_predictions(gold: np.ndarray, predicted: np.ndarray, names: np.ndarray,
                            groups: dict[str, str]) -> float:
    """The rule over one array of dev predictions, `names` giving each row's set."""
    scores = {name: set_score(gold[names == name], predicted[names == name]) for name in dict.fromkeys(names)}
    return dev_rule(scores, groups)
