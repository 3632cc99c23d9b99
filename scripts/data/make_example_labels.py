"""data/examples/labels.csv: labelled pairs in the analyst's format (text, target, label) for the README's
"Your own data" walkthrough, taken from the commentary set's dev part (the shipped models train on its train
part; dev only chose among their runs, and test stays untouched).

    python scripts/data/make_example_labels.py [--pairs 250] [--seed 0] [--split dev] [--out data/examples/labels.csv]

A (claim, actor) pair is taken only when naming its mentions as the target ("Lula|Brazilian president")
marks exactly the gold mentions in the claim (so no pronoun mentions, no name that occurs elsewhere in the
claim as another actor); pairs are drawn with a fixed seed, at most 6 per document. Labels are written as
negative / neutral / positive, as analysts often keep them; `format: simple` maps them.
"""
from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from stance.config import REPO_ROOT
from stance.data.simple import locate_target
from stance.data.validate import strict_gold_rows

LABELS = {"against": "negative", "neutral": "neutral", "favor": "positive"}


def faithful_pairs(rows: list[dict]) -> list[dict]:
    pairs = []
    for row in rows:
        if row["actor"] is None:
            continue
        names = list(dict.fromkeys(m["text"] for m in row["mentions"]))
        if not all(name[:1].isupper() for name in names):
            continue
        gold = sorted((m["start"] - row["start"], m["end"] - row["start"]) for m in row["mentions"])
        found = [(s.start, s.end) for s in locate_target(row["text"], names)]
        if found == gold:
            pairs.append({"doc_id": row["doc_id"], "text": row["text"], "target": "|".join(names),
                          "label": LABELS[row["stance"]]})
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data/examples/labels.csv")
    args = parser.parse_args()
    rows = strict_gold_rows(REPO_ROOT / f"data/commentary/{args.split}.jsonl")  # the validator's reader and checks
    pairs = faithful_pairs(rows)
    random.Random(args.seed).shuffle(pairs)
    chosen, per_doc = [], {}
    for pair in pairs:
        if per_doc.get(pair["doc_id"], 0) < 6 and len(chosen) < args.pairs:
            per_doc[pair["doc_id"]] = per_doc.get(pair["doc_id"], 0) + 1
            chosen.append(pair)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "target", "label"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(chosen)
    print(f"{args.out}: {len(chosen)} pairs from {len(per_doc)} documents ({len(pairs)} faithful pairs in {args.split})")


if __name__ == "__main__":
    main()
