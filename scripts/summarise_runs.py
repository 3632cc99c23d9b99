"""Prints one line per trained model dir: dev and test macro-F1, epochs, time. Usage: summarise_runs.py DIR..."""
import json
import sys
from pathlib import Path

for directory in sys.argv[1:]:
    path = Path(directory) / "metrics.json"
    if not path.is_file():
        print(f"{directory}: no metrics.json")
        continue
    metrics = json.loads(path.read_text())
    tests = " ".join(f"{name}={m['f1_macro']:.4f}" for name, m in metrics["test"].items())
    train = metrics["train"]
    print(
        f"{directory}: dev F1m={metrics['dev']['f1_macro']:.4f} acc={metrics['dev']['accuracy']:.4f} | {tests} | "
        f"epochs={train['epochs_run']} {train['seconds'] / 60:.1f} min {train['samples_per_second']} samples/s"
    )
