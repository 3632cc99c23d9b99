"""Distillation: a larger model's calibrated probabilities on the training pairs, mixed with the gold labels.

A teacher (e.g. the mpnet model) scores every training pair once (`scripts/train/teacher_probs.py`), and the file
maps each pair's input (its text and target spans: `pair_key`) to the teacher's probabilities. A student
trained with `trainer.distill_from=FILE` then learns (`stance.model.losses.distillation_loss`) from the target
`(1 - w) * gold one-hot + w * teacher probabilities` (`trainer.distill_weight` = w), which is the gold
cross-entropy plus w times the pull toward the teacher. A pair the teacher did not score learns from its gold
label alone, and such pairs are counted in the log.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from stance.types import PairExample


def pair_key(example: PairExample) -> str:
    """What the model reads of a pair: its text and target spans (the label plays no part)."""
    spans = ",".join(f"{s.start}-{s.end}" for s in example.spans)
    return hashlib.sha1(f"{example.text}\x00{spans}".encode()).hexdigest()


def write_teacher_probs(path: str | Path, examples: list[PairExample], probs: np.ndarray, labels: list[str],
                        teacher: str) -> Path:
    """An .npz of the pairs' keys, the teacher's probabilities (columns in `labels` order) and what made it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    about = json.dumps({"teacher": teacher, "labels": labels, "pairs": len(examples)})
    np.savez_compressed(path, keys=np.array([pair_key(e) for e in examples]), probs=probs.astype(np.float32),
                        about=np.array(about))
    return path


def read_teacher_probs(path: str | Path, labels: list[str]) -> dict[str, np.ndarray]:
    """key -> probabilities; ValueError when the file's label order is not the model's."""
    with np.load(path) as data:
        about = json.loads(str(data["about"]))
        if about["labels"] != labels:
            raise ValueError(f"{path}: teacher labels {about['labels']} are not the model's {labels}")
        return dict(zip(data["keys"].tolist(), data["probs"]))
