"""One line per trained model directory: the dev rule and each dev set's term, neutral recall on dev, epochs,
time; test sets only if the run was asked to evaluate them (trainer.eval_test=true).

    python scripts/figures/summarise_runs.py DIR...
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
    dev, train = metrics["dev"], metrics["train"]
    sets = " ".join(f"{name}={m.get('dev_rule_score', m['f1_macro']):.4f}" for name, m in dev["sets"].items())
    neutral = " ".join(f"{name}={m['per_class']['neutral']['recall']:.2f}" for name, m in dev["sets"].items()
                       if m["per_class"]["neutral"]["support"])
    tests = " ".join(f"{name}={m['f1_macro']:.4f}" for name, m in metrics["test"].items())
    print(f"{directory}: dev rule={dev['f1_macro']:.4f} ({sets}) | neutral recall {neutral} | "
          f"{'test ' + tests + ' | ' if tests else ''}epochs={train['epochs_run']} best={train['best_dev_f1_macro']:.4f} "
          f"{train['seconds'] / 60:.1f} min {train['samples_per_second']} samples/s")
