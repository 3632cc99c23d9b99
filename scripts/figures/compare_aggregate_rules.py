"""Which rule turns a model's pair labels into the (document, actor) label of actors.csv: compared on dev only.

    python scripts/figures/compare_aggregate_rules.py [MODEL_DIR] [--out outputs/aggregate_rules]

Given pairs of the commentary dev set (gold per (document, actor) by `document_stance`) and of PerSenT's dev
part (its own document label, TRUE_SENTIMENT); macro-F1 and accuracy per rule with document-resampled 95%
intervals. Also checks the gold rule itself: how well each label rule applied to PerSenT's *gold* paragraph
labels (train and dev parts) reproduces its document labels. The winner is `stance.score.aggregate.actor_label`.
"""
from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np

from stance.config import compose
from stance.data.persent import PERSENT_LABELS, persent_split
from stance.data.sources import load_source
from stance.evaluate.document_level import actor_groups, document_gold, document_stance, document_units
from stance.evaluate.metrics import bootstrap_ci, classification_metrics, paired_bootstrap_difference
from stance.model.classifier import load_classifier
from stance.model.predict import predict_proba
from stance.score.aggregate import actor_label

LABELS = ["against", "neutral", "favor"]


def majority(pairs: list[dict]) -> str:
    """The label most pairs have; neutral when two tie for most (the gold rule, `document_stance`)."""
    return document_stance(p["label"] for p in pairs)


def polar_balance(pairs: list[dict]) -> str:
    """favor if more favor than against pairs, against if more against, else neutral (`actor_label`, the rule
    of actors.csv since it won here)."""
    return actor_label(p["label"] for p in pairs)


def mean_probability(pairs: list[dict]) -> str:
    """The argmax of the mean calibrated probabilities."""
    mean = np.mean([[p["probs"][label] for label in LABELS] for p in pairs], axis=0)
    return LABELS[int(mean.argmax())]


def confidence_vote(pairs: list[dict]) -> str:
    """Each pair votes its label with its confidence (max probability); the heaviest label, neutral on a tie."""
    weight = Counter()
    for p in pairs:
        weight[p["label"]] += max(p["probs"].values())
    ranked = weight.most_common()
    return "neutral" if len(ranked) > 1 and ranked[0][1] == ranked[1][1] else ranked[0][0]


def polar_share(margin: float):
    """favor when (favor pairs - against pairs) / all pairs >= margin, against when <= -margin, else neutral: one
    stray claim among many neutral ones does not decide the row."""
    def rule(pairs: list[dict]) -> str:
        counts = Counter(p["label"] for p in pairs)
        share = (counts["favor"] - counts["against"]) / len(pairs)
        return "favor" if share >= margin else "against" if share <= -margin else "neutral"
    return rule


def mean_score_band(band: float):
    """favor when the mean P(favor) - P(against) >= band, against when <= -band, else neutral."""
    def rule(pairs: list[dict]) -> str:
        mean = float(np.mean([p["probs"]["favor"] - p["probs"]["against"] for p in pairs]))
        return "favor" if mean >= band else "against" if mean <= -band else "neutral"
    return rule


RULES = {"majority": majority, "polar_balance": polar_balance, "mean_probability": mean_probability,
         "confidence_vote": confidence_vote,
         **{f"polar_share_{m}": polar_share(m) for m in (0.1, 0.2, 0.3, 0.4, 0.5)},
         **{f"mean_score_{b}": mean_score_band(b) for b in (0.1, 0.2, 0.3, 0.4)}}


def score_rules(loaded, source_cfg) -> dict:
    """Every rule's document-level figures on one dev set, given pairs."""
    examples = [e for e in load_source(source_cfg, LABELS) if e.label is not None]
    gold, _ = document_gold(source_cfg, examples)
    probs = predict_proba(loaded, examples, 64).probs[:, [loaded.labels.index(label) for label in LABELS]]
    pairs = [{"label": LABELS[int(row.argmax())], "probs": dict(zip(LABELS, map(float, row)))} for row in probs]
    groups = {key: rows for key, rows in actor_groups(examples).items() if key in gold}
    keys = list(groups)
    units = document_units(keys)
    truth = [gold[key] for key in keys]
    result = {"pairs": len(examples), "documents_actors": len(keys), "resampled": units.describe(),
              "without_pairs": len(gold) - len(keys), "rules": {}}
    predicted = {name: [rule([pairs[i] for i in groups[key]]) for key in keys] for name, rule in RULES.items()}
    for name, labels in predicted.items():
        m = classification_metrics(truth, labels, LABELS)
        ci = bootstrap_ci(truth, labels, LABELS, 1000, 0, units=units)
        delta = paired_bootstrap_difference(truth, predicted["majority"], labels, LABELS, 1000, 0, units=units)
        result["rules"][name] = {"f1_macro": m["f1_macro"], "accuracy": m["accuracy"],
                                 "f1_macro_ci": ci["f1_macro"], "accuracy_ci": ci["accuracy"],
                                 "f1_macro_minus_majority": delta["f1_macro"]}
    return result


def gold_rule_check(path: str, splits=("train", "dev")) -> dict:
    """The label rules on PerSenT's gold paragraph labels against its document labels (every labelled paragraph)."""
    truth, by_rule = [], {name: [] for name in ("majority", "polar_balance")}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if persent_split(row["DOCUMENT_INDEX"]) not in splits:
                continue
            pairs = [{"label": PERSENT_LABELS[row[f"Paragraph{i}"].strip()]} for i in range(16)
                     if (row.get(f"Paragraph{i}") or "").strip()]
            truth.append(PERSENT_LABELS[row["TRUE_SENTIMENT"]])
            for name, predicted in by_rule.items():
                predicted.append(RULES[name](pairs))
    return {"documents": len(truth), "splits": list(splits),
            "rules": {name: {k: classification_metrics(truth, predicted, LABELS)[k] for k in ("f1_macro", "accuracy")}
                      for name, predicted in by_rule.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", default="models/default")
    parser.add_argument("--out", default="outputs/aggregate_rules")
    args = parser.parse_args()
    paths = compose("evaluate", []).paths
    dev = {"commentary_dev": {"format": "gold", "path": f"{paths.root}/data/commentary/dev.jsonl"},
           "persent_dev": {"format": "persent", "path": f"{paths.shared}/data/persent/dev.csv", "split": "dev"}}
    loaded = load_classifier(args.model_dir)
    report = {"model_dir": args.model_dir, "sets": {name: score_rules(loaded, s) for name, s in dev.items()},
              "gold_rule_check": gold_rule_check(dev["persent_dev"]["path"])}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dev.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("| set | rule | (document, actor) rows | macro-F1 [95% CI] | accuracy [95% CI] | ΔF1m vs majority [95% CI] |")
    print("|---|---|---|---|---|---|")
    for name, result in report["sets"].items():
        for rule, m in result["rules"].items():
            f1, acc, delta = m["f1_macro_ci"], m["accuracy_ci"], m["f1_macro_minus_majority"]
            print(f"| {name} | {rule} | {result['documents_actors']} ({result['resampled']}) | {m['f1_macro']:.3f} "
                  f"[{f1[0]:.3f}, {f1[1]:.3f}] | {m['accuracy']:.3f} [{acc[0]:.3f}, {acc[1]:.3f}] | "
                  f"{delta['difference']:+.3f} [{delta['ci'][0]:+.3f}, {delta['ci'][1]:+.3f}] |")
    means = {rule: np.mean([r["rules"][rule]["f1_macro"] for r in report["sets"].values()]) for rule in RULES}
    print("mean dev macro-F1 over the sets: " + ", ".join(f"{rule} {v:.3f}" for rule, v in means.items())
          + f"; best: {max(means, key=means.get)}")
    check = report["gold_rule_check"]
    print(f"gold rule check, PerSenT {'+'.join(check['splits'])} ({check['documents']} documents, gold paragraph "
          "labels): " + "; ".join(f"{n} F1m {m['f1_macro']:.3f} acc {m['accuracy']:.3f}" for n, m in check["rules"].items()))
    print(f"wrote {out / 'dev.json'}")


if __name__ == "__main__":
    main()
