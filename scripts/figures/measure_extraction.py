"""Claim splitting and actor detection measured against a hand-labelled gold file.

    python scripts/figures/measure_extraction.py [GOLD.jsonl] [DOCUMENT.txt] [--json OUT.json] [hydra overrides ...]

Claims: a predicted claim is an exact match when its [start, end) equals a gold claim's.
Actors (stance.matching.detect_pairs), counted per (claim, actor) pair, not one-to-one:
  - a gold pair is found when some predicted mention of an overlapping claim overlaps one of its mentions;
  - a predicted pair is correct when one of its mentions overlaps a mention of some gold pair of that claim;
  - "span overlap" ignores the actor names; "span + name" also needs the same canonical actor.
Recall = gold pairs found / gold pairs; precision = predicted pairs correct / predicted pairs.
Overrides go to the `extract` config, e.g. actors.discover_ner=false 'actors=[default,mine]'.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stance.analyse import DocumentAnalyser
from stance.config import REPO_ROOT, compose
from stance.data.validate import check_gold
from stance.evaluate.matching import PairSpans, detect_pairs, gold_pair_spans, predicted_pair_spans

DEFAULT_GOLD = REPO_ROOT / "data/gold/commentary-01.jsonl"


def describe(pair: PairSpans, text: str, claim_ids: dict) -> str:
    surfaces = ", ".join(f"{text[s:e]!r}@{s}" for s, e in pair.mentions)
    claim = claim_ids.get(pair.claim, f"[{pair.claim[0]}, {pair.claim[1]})")
    return f"claim {claim}: {pair.actor} [{surfaces}]"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("document", nargs="?", type=Path, default=None, help="default: the extract config's input")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    argv = sys.argv[1:] if argv is None else argv
    overrides = [arg for arg in argv if "=" in arg and not arg.startswith("-")]
    args = parser.parse_args([arg for arg in argv if arg not in overrides])
    cfg = compose("extract", overrides)
    document = args.document or Path(cfg.paths.shared) / "seed" / "commentary-01.txt"
    checked = check_gold(args.gold, document)  # the strict gold reader; reads the document as scoring does
    if checked.problems:
        sys.exit("\n".join(checked.problems[:20]))
    text, rows = checked.document, [row for _, row in checked.valid_rows]
    (items,) = DocumentAnalyser.from_config(cfg.segment, cfg.actors)([text])

    gold_claims = {(row["start"], row["end"]): row["claim_id"] for row in rows}
    predicted_claims = {(item.claim.start, item.claim.end) for item in items}
    exact = len(predicted_claims & set(gold_claims))
    print(f"claims: {exact}/{len(gold_claims)} gold claims split exactly ({len(predicted_claims)} predicted)")
    for start, end in sorted(predicted_claims ^ set(gold_claims)):
        side = "gold only" if (start, end) in gold_claims else "predicted only"
        print(f"  {side}: [{start}, {end}) {text[start:end][:70]!r}")

    gold, predicted = gold_pair_spans(rows), predicted_pair_spans(items)
    figures = {"claims": {"gold": len(gold_claims), "predicted": len(predicted_claims), "exact": exact}}
    for name, same_actor in (("span overlap", False), ("span + name", True)):
        detection = detect_pairs(gold, predicted, same_actor)
        counts = figures[name] = detection.counts()
        print(f"\nactors, {name}: recall {counts['found']}/{counts['gold']} = {counts['recall']:.3f}, "
              f"precision {counts['correct']}/{counts['predicted']} = {counts['precision']:.3f}, F1 {counts['f1']:.3f}")
        for g in (g for g, ok in enumerate(detection.found) if not ok):
            print("  missed   ", describe(gold[g], text, gold_claims))
        for p in (p for p, ok in enumerate(detection.correct) if not ok):
            print("  spurious ", describe(predicted[p], text, gold_claims))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
