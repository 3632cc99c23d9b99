"""The dev rule (stance.train.dev_rule) for saved models on the dev sets of a training config; never test.

    python scripts/figures/dev_score.py MODEL_DIR [MODEL_DIR ...] [train overrides, default: the default mix]

Prints, per model, the rule (the mean over dev sources of macro-F1 over the labels present; NewsMTSC's
dev_rw and dev_mt are one source) and each set's term, and neutral recall on the sets that have neutral.
"""
from __future__ import annotations

import sys

from stance.config import compose
from stance.model.classifier import load_classifier
from stance.train.dev_rule import dev_rule
from stance.train.run import dev_groups, evaluate_sets, load_data


def main(argv: list[str]) -> None:
    dirs = [a for a in argv if "=" not in a]
    cfg = compose("train", [a for a in argv if "=" in a])
    _, dev_sets, _ = load_data(cfg, ["against", "neutral", "favor"])
    for model_dir in dirs:
        results = evaluate_sets(load_classifier(model_dir), dev_sets, 64)
        rule = dev_rule({name: m["dev_rule_score"] for name, m in results.items()}, dev_groups(cfg))
        sets = " ".join(f"{name} {m['dev_rule_score']:.4f}" for name, m in results.items())
        neutral = " ".join(f"{name} {m['per_class']['neutral']['recall']:.2f}" for name, m in results.items()
                           if m["per_class"]["neutral"]["support"])
        print(f"{model_dir}: dev rule {rule:.4f} ({sets}); neutral recall: {neutral}")


if __name__ == "__main__":
    main(sys.argv[1:])
