"""Models on the straight line between two saved models of the same shape, scored on dev (never test).

    python scripts/interpolate_models.py A_DIR B_DIR [train overrides ...] --alphas 1 0.75 0.5 0.25

Each trained tensor is alpha * A + (1 - alpha) * B (the LoRA factors, LayerNorm and heads as saved, not their
products). This is meaningful when B started from A or A from B (the shipped default continued from
`models/newsmtsc-v1`), so both sit in one basin. A tensor only one model has (the claim-sentiment head A
trained and B lacks) is A's; one only B has is dropped. The train overrides give the data config whose dev
sets are scored (`experiment=author_stance`: the shipped model's dev sets); alpha is chosen on dev only.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf
from safetensors.torch import load_file

from stance.config import compose
from stance.model.classifier import build_classifier, read_meta, trained_state
from stance.train.run import evaluate_sets, load_data

WEIGHTS = "trained_weights.safetensors"
SOURCE_OF = {"dev_rw": "newsmtsc", "dev_mt": "newsmtsc"}  # as scripts/dev_score.py: NewsMTSC counts once


def interpolated(a_dir: Path, b_dir: Path, alpha: float) -> dict[str, torch.Tensor]:
    a, b = load_file(str(a_dir / WEIGHTS)), load_file(str(b_dir / WEIGHTS))
    return {name: alpha * tensor + (1 - alpha) * b[name] if name in b else tensor for name, tensor in a.items()}


def model_at(a_dir: Path, b_dir: Path, alpha: float):
    loaded = build_classifier(read_meta(a_dir)["model_cfg"])
    state = interpolated(a_dir, b_dir, alpha)
    missing = set(trained_state(loaded.model)) - set(state)
    if missing:
        raise SystemExit(f"{a_dir}: lacks trained tensors {sorted(missing)[:3]}")
    loaded.model.load_state_dict(state, strict=False)
    loaded.model.eval()
    return loaded


def by_source(results: dict) -> float:
    sources: dict[str, list[float]] = {}
    for name, m in results.items():
        sources.setdefault(SOURCE_OF.get(name, name), []).append(m["f1_macro"])
    return float(np.mean([np.mean(values) for values in sources.values()]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--alphas", type=float, nargs="*", default=[0.0, 0.25, 0.5, 0.75, 1.0])
    args, overrides = parser.parse_known_args()
    cfg = compose("train", overrides)
    labels = list(OmegaConf.to_container(cfg.model, resolve=True)["labels"])
    _, dev_sets, _ = load_data(cfg, labels)
    for alpha in args.alphas:
        results = evaluate_sets(model_at(args.a, args.b, alpha), dev_sets, cfg.trainer.eval_batch_size)
        sets = " ".join(f"{name} {m['f1_macro']:.4f}" for name, m in results.items())
        print(f"alpha {alpha:.2f}: dev F1m mean over sets {np.mean([m['f1_macro'] for m in results.values()]):.4f}, "
              f"over sources {by_source(results):.4f} ({sets})", flush=True)

if __name__ == "__main__":
    main()
