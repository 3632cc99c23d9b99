"""Finish a training run from one of its Trainer checkpoints: calibrate on dev, evaluate, write the model dir.

    python scripts/finish_checkpoint.py CHECKPOINT_DIR [train overrides, as the run had them ...]

For a run stopped before its last epoch (here: to fit the session's time): the checkpoint holds the whole
classifier's weights after an epoch; this loads them into the model the same overrides build and runs the
same end of training as `stance.train` (`stance.train.run.finish`). `metrics.json` says which checkpoint.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import torch
from omegaconf import OmegaConf
from safetensors.torch import load_file

from stance.config import compose
from stance.model.classifier import build_classifier, trained_state
from stance.train.run import finish, load_data


def main(checkpoint: Path, overrides: list[str]) -> None:
    cfg = compose("train", overrides)
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)
    train_examples, dev_sets, test_sets = load_data(cfg, list(model_cfg["labels"]))
    loaded = build_classifier(model_cfg)
    state = load_file(str(checkpoint / "model.safetensors"))
    missing = set(trained_state(loaded.model)) - set(state)
    if missing:
        sys.exit(f"{checkpoint}: lacks trained tensors {sorted(missing)[:3]}")
    loaded.model.load_state_dict(state, strict=False)
    trainer_state = json.loads((checkpoint / "trainer_state.json").read_text())
    history = [entry for entry in trainer_state["log_history"] if "eval_f1_macro" in entry]
    counts = Counter(e.label for e in train_examples if e.label is not None)
    stats = {
        "pairs": len(train_examples), "label_counts": dict(counts),
        "by_source": dict(Counter(e.source for e in train_examples)),
        "trainable_parameters": sum(p.numel() for p in loaded.model.parameters() if p.requires_grad),
        "epochs_run": trainer_state["epoch"], "best_dev_f1_macro": history[-1]["eval_f1_macro"] if history else None,
        "finished_from_checkpoint": str(checkpoint), "global_step": trainer_state["global_step"],
        "torch_threads": torch.get_num_threads(), "seconds": None, "samples_per_second": None,
        "init_from": {"from": model_cfg["init_from"]} if model_cfg.get("init_from") else None,
    }
    cfg.command = "python scripts/finish_checkpoint.py " + " ".join([str(checkpoint), *overrides])
    metrics = finish(loaded, cfg, dev_sets, test_sets, stats)
    print(f"dev F1m {metrics['dev']['f1_macro']:.4f}; test F1m "
          f"{ {name: round(m['f1_macro'], 4) for name, m in metrics['test'].items()} }")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2:])
