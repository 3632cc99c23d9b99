"""Calibration fitted on dev after training: a temperature for the stance logits (lower NLL, same argmax),
then, only where it raises dev macro-F1, a per-class bias on the calibrated logits (a decision rule)."""
from __future__ import annotations

import itertools

import numpy as np
import torch

from stance.model.predict import calibrated_probs


def nll(logits: np.ndarray, gold: np.ndarray, calibration: dict | None) -> float:
    probs = calibrated_probs(logits, calibration)
    return float(-np.log(np.clip(probs[np.arange(len(gold)), gold], 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, gold: np.ndarray, steps: int = 200) -> float:
    """The temperature T > 0 minimising the NLL of softmax(logits / T) on (logits, gold)."""
    x, y = torch.tensor(logits, dtype=torch.float64), torch.tensor(gold)
    log_t = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps)

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.detach().exp())


BIAS_GRID = np.arange(-1.0, 1.01, 0.25)


def fit_bias(logits: np.ndarray, gold: np.ndarray, temperature: float, score, grid=BIAS_GRID):
    """The per-class bias (first class fixed at 0) on the grid with the best `score(gold, predicted)`;
    all zeros unless a bias beats no bias."""
    n = logits.shape[1]
    best, best_score = [0.0] * n, score(gold, (logits / temperature).argmax(1))
    for offsets in itertools.product(grid, repeat=n - 1):
        bias = [0.0, *map(float, offsets)]
        value = score(gold, (logits / temperature + np.asarray(bias)).argmax(1))
        if value > best_score + 1e-9:
            best, best_score = bias, value
    return best


def fit_calibration(logits: np.ndarray, gold: np.ndarray, score=None) -> dict:
    """{"temperature", "bias"} fitted on dev logits and gold label ids; the bias stays zero without a `score`
    to choose it by (the default: a bias that raises macro-F1 on dev tends to do it by taking recall from
    `neutral`, the commonest label in commentary; README "Shipped model")."""
    temperature = fit_temperature(logits, gold)
    bias = fit_bias(logits, gold, temperature, score) if score else [0.0] * logits.shape[1]
    return {"temperature": round(temperature, 4), "bias": bias}
