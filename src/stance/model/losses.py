"""The stance head's losses: cross-entropy over the labels a source gives, and distillation from a teacher."""
from __future__ import annotations

import torch
from torch import nn


def masked_cross_entropy(logits: torch.Tensor, labels: torch.Tensor, weight: torch.Tensor | None = None,
                         label_mask: torch.Tensor | None = None):
    """Cross-entropy over the rows with a label (-100: none); 0 when no row has one. With `label_mask`
    ([rows, labels], 0 = a label the row's source never gives), a row's softmax runs over its source's labels
    only, so the left-out logits get no gradient: P-Stance, without neutral, does not teach "never neutral"."""
    if not bool((labels != -100).any()):
        return logits.sum() * 0.0
    if label_mask is not None:
        logits = logits.masked_fill(label_mask == 0, float("-inf"))
    return nn.functional.cross_entropy(logits, labels, weight=weight, ignore_index=-100)


def distillation_loss(logits: torch.Tensor, labels: torch.Tensor, teacher_probs: torch.Tensor,
                      teacher_weight: float, weight: torch.Tensor | None = None,
                      label_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy against `(1 - teacher_weight) * one-hot(label) + teacher_weight * teacher_probs`, over the
    rows with a label (-100: none), each row weighted by its gold label's class weight and the sum divided
    by those weights, as torch's weighted cross-entropy does. A row whose teacher probabilities are NaN (not
    scored) uses its gold label alone; so a one-hot teacher gives exactly the gold cross-entropy. With
    `label_mask`, the softmax and the teacher's probabilities run over the row's source's labels only."""
    rows = labels != -100
    if not bool(rows.any()):
        return logits.sum() * 0.0
    logits, labels, teacher = logits[rows].float(), labels[rows], teacher_probs[rows].float()
    gold = torch.nn.functional.one_hot(labels, logits.size(1)).float()
    teacher = torch.where(torch.isnan(teacher), gold, teacher)
    if label_mask is not None:
        allowed = label_mask[rows] != 0
        logits = logits.masked_fill(~allowed, float("-inf"))
        teacher = teacher * allowed
        teacher = teacher / teacher.sum(1, keepdim=True).clamp_min(1e-12)
    target = (1 - teacher_weight) * gold + teacher_weight * teacher
    log_probs = torch.log_softmax(logits, dim=1)
    per_row = -(target * log_probs.masked_fill(target == 0, 0.0)).sum(1)
    row_weights = weight[labels] if weight is not None else torch.ones_like(per_row)
    return (row_weights * per_row).sum() / row_weights.sum()
