"""Calibration fitted on dev after training: a temperature for the stance logits (lower NLL, same argmax).
(A per-class decision bias chosen on dev macro-F1 was measured and removed: it bought F1 with neutral recall;
docs/model.md.) Models saved with a bias still apply it (`calibrated_probs`)."""
from __future__ import annotations

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


def fit_calibration(logits: np.ndarray, gold: np.ndarray) -> dict:
    """{"temperature", "bias"} fitted on dev logits and gold label ids; the bias is zero (kept in the saved
    form so that older models that have one load the same)."""
    return {"temperature": round(fit_temperature(logits, gold), 4), "bias": [0.0] * logits.shape[1]}
