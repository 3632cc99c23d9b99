"""The headline table of an evaluate run (README "Current model", docs/model.md): per set and mode, the first
model's F1m, F_avg, F1m* and accuracy with their intervals, each other model's F1m, the best baseline, and each
other model minus the first (paired interval; * excludes 0).

    python -m stance.evaluate output=outputs/evaluate/default 'model_dir=[models/default,models/mix-v1,models/newsmtsc-v1]'
    python scripts/figures/headline_figures.py outputs/evaluate/default
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def ci(metrics: dict, key: str) -> str:
    low, high = metrics["bootstrap_ci"][key]
    return f"{metrics[key]:.3f} [{low:.3f}, {high:.3f}]"


def delta(deltas: dict, name: str, key: str = "f1_macro") -> str:
    """`name` minus the first model, with * where the paired interval excludes 0."""
    d = deltas["models"][name][key]
    star = "*" if d["ci"][0] > 0 or d["ci"][1] < 0 else ""
    return f"{d['difference']:+.3f}{star}"


def best_baseline(systems: dict) -> str:
    baselines = {n: s["f1_macro"] for n, s in systems.items() if s.get("kind") == "baseline"}
    if not baselines:
        return "-"
    best = max(baselines, key=baselines.get)
    return f"{best} {baselines[best]:.3f}"


def main(directory: str) -> None:
    metrics = json.loads((Path(directory) / "metrics.json").read_text())
    first, *others = list(metrics["models"])
    print(f"| set | mode | resampled | {first} F1m | F_avg | F1m* | acc | "
          + " | ".join(f"{o} F1m (minus {first})" for o in others) + " | best baseline F1m |")
    print("|" + "---|" * (8 + len(others)))
    for result in metrics["datasets"].values():
        systems = result["systems"]
        if first not in systems:
            continue
        m = systems[first]
        compared = [f"{systems[o]['f1_macro']:.3f} ({delta(result['model_deltas'], o)})" for o in others]
        print(f"| {result['dataset']} | {result['mode']} | {m['resampled']} | {ci(m, 'f1_macro')} | "
              f"{ci(m, 'f1_polar')} | {ci(m, 'f1_macro_present')} | {ci(m, 'accuracy')} | "
              + " | ".join(compared) + f" | {best_baseline(systems)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "outputs/evaluate/default")
