"""Mean and spread over the seeds of one recipe: the dev rule and each dev set's term from every model's
metrics.json, and, with --evaluate, each test set's F1m, F_avg and accuracy from a `python -m stance.evaluate`
run that scored the models side by side.

    python scripts/figures/seed_spread.py outputs/runs/real-partial-s{21,7,13} --evaluate outputs/evaluate/seeds

Spread: the sample standard deviation (n - 1) and the range; with three seeds, read it as a rough size.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def spread(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return f"{np.mean(values):.3f} ± {sd:.3f} [{min(values):.3f}, {max(values):.3f}]"


def dev_lines(dirs: list[Path]) -> list[str]:
    runs = [json.loads((d / "metrics.json").read_text())["dev"] for d in dirs]
    lines = [f"| dev rule | {spread([r['f1_macro'] for r in runs])} |"]
    for name in runs[0]["sets"]:
        lines.append(f"| {name} (dev) | {spread([r['sets'][name]['dev_rule_score'] for r in runs])} |")
    return lines


def test_lines(dirs: list[Path], evaluate_dir: Path) -> list[str]:
    datasets = json.loads((evaluate_dir / "metrics.json").read_text())["datasets"]
    lines = []
    for name, result in datasets.items():
        found = [result["systems"].get(d.name) for d in dirs]
        if any(f is None or "f1_macro" not in f for f in found):
            continue
        lines.append(f"| {name} | F1m {spread([f['f1_macro'] for f in found])}; F_avg "
                     f"{spread([f['f1_polar'] for f in found])}; acc {spread([f['accuracy'] for f in found])} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dirs", nargs="+", type=Path)
    parser.add_argument("--evaluate", type=Path, help="an evaluate output directory that scored these models")
    args = parser.parse_args()
    print(f"{len(args.model_dirs)} seeds: mean ± sd [min, max]\n\n| set | figure |\n|---|---|")
    print("\n".join(dev_lines(args.model_dirs)))
    if args.evaluate:
        print("\n".join(test_lines(args.model_dirs, args.evaluate)))


if __name__ == "__main__":
    main()
