"""Re-evaluates a trained model dir (float32) on its dev sets and the default config's test sets, and rewrites
metrics.json and README.md.

Used when a test set (e.g. the hand-labelled seed set) appears after a model was trained:
    python scripts/refresh_model_card.py models/default
The training figures are kept; dev and test metrics come from the code path training uses, in float32.
"""
import json
import sys
from pathlib import Path

from omegaconf import OmegaConf

from stance.config import compose
from stance.data.sources import load_source, load_sources
from stance.model.classifier import load_classifier
from stance.train.model_card import write_model_card
from stance.train.run import evaluate_sets


def main(model_dir: str) -> None:
    directory = Path(model_dir)
    cfg = OmegaConf.load(directory / "config.yaml")
    test_sources = compose("train").data.test
    loaded = load_classifier(directory, merge_adapter=False)
    sets = {source.name: load_source(source, loaded.labels) for source in test_sources}
    metrics = json.loads((directory / "metrics.json").read_text())
    metrics["test"] = evaluate_sets(loaded, sets, cfg.trainer.eval_batch_size)
    metrics["dev"] = evaluate_sets(loaded, {"dev": load_sources(cfg.data.dev, loaded.labels)},
                                   cfg.trainer.eval_batch_size)["dev"]
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    cfg.data.test = OmegaConf.create(OmegaConf.to_container(test_sources, resolve=True))
    # Test sets do not change training, so the command without its test-set override reproduces the model.
    cfg.command = " ".join(arg for arg in str(cfg.command).split(" ") if not arg.startswith("data.test="))
    OmegaConf.save(cfg, directory / "config.yaml")
    write_model_card(directory, cfg, metrics)
    for name, m in metrics["test"].items():
        print(f"{name}: F1m {m['f1_macro']:.4f} accuracy {m['accuracy']:.4f} (n={m['n']})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/default")
