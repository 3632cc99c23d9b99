"""Prints one line per trained model dir: dev macro-F1 (mean over dev sets, and each), test macro-F1, epochs, time.

    python scripts/summarise_runs.py DIR...
"""
import json
import sys
from pathlib import Path

for directory in sys.argv[1:]:
    path = Path(directory) / "metrics.json"
    if not path.is_file():
        print(f"{directory}: no metrics.json")
        continue
    metrics = json.loads(path.read_text())
    dev = metrics["dev"]
    sets = " ".join(f"{name}={m['f1_macro']:.4f}" for name, m in dev.get("sets", {}).items())
    tests = " ".join(f"{name}={m['f1_macro']:.4f}" for name, m in metrics["test"].items())
    train = metrics["train"]
    print(f"{directory}: dev F1m={dev['f1_macro']:.4f} ({sets}) | test {tests} | "
          f"epochs={train['epochs_run']} {train['seconds'] / 60:.1f} min {train['samples_per_second']} samples/s")
