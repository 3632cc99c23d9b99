"""A teacher's calibrated probabilities on every labelled training pair of a training config, for distillation.

    python scripts/train/teacher_probs.py TEACHER_DIR OUT.npz [train overrides, default: the default mix]
    python -m stance.train ... trainer.distill_from=OUT.npz      # the student

Reads each training source whole (not the weighted draw of one epoch), so whatever a student's epochs draw
has the teacher's probabilities. Each distinct input (text and target spans, `stance.train.distill.pair_key`)
is scored once, with bfloat16 autocast where the CPU computes it natively. Prints the pairs, the time and the
rate.
"""
from __future__ import annotations

import sys
import time

import torch

from stance.config import compose
from stance.model.classifier import load_classifier, native_bf16
from stance.model.predict import predict_proba
from stance.train.distill import pair_key, write_teacher_probs
from stance.train.run import load_data


def main(argv: list[str]) -> None:
    teacher_dir, out, *overrides = argv
    cfg = compose("train", overrides)
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    loaded = load_classifier(teacher_dir)
    sources, _, _ = load_data(cfg, loaded.labels)
    unique = {}
    for examples, _ in sources:
        for example in examples:
            if example.label is not None:
                unique.setdefault(pair_key(example), example)
    examples = list(unique.values())
    started = time.perf_counter()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=native_bf16()):
        prediction = predict_proba(loaded, examples, batch_size=64, progress=True)
    seconds = time.perf_counter() - started
    write_teacher_probs(out, examples, prediction.probs, loaded.labels, teacher_dir)
    print(f"{out}: {len(examples)} pairs scored by {teacher_dir} in {seconds:.0f} s "
          f"({len(examples) / seconds:.1f} pairs/s, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main(sys.argv[1:])
