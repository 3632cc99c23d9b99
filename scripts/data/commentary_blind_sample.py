"""Write the blind input of the commentary set's second labelling pass: whole test documents, drawn in a
seeded order until at least N pairs, with their claims and actor mentions but no labels.

    python scripts/data/commentary_blind_sample.py [N]      # -> data/commentary/agreement/blind_input.jsonl

Each output row is one (claim, actor) pair or a claim without actors, in the gold format with `stance` and
`sentiment` set to null: the second annotator fills them in from the text alone.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from stance.data.validate import strict_gold_rows

SET_DIR = Path(__file__).resolve().parents[2] / "data" / "commentary"
BLANK = {"stance": None, "sentiment": None, "note": ""}


def main(minimum_pairs: int = 330, seed: int = 12) -> None:
    rows = strict_gold_rows(SET_DIR / "test.jsonl")  # the validator's reader and checks
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    order = sorted(by_doc)
    random.Random(seed).shuffle(order)
    chosen, pairs = [], 0
    for doc_id in order:
        if pairs >= minimum_pairs:
            break
        chosen.append(doc_id)
        pairs += sum(row["actor"] is not None for row in by_doc[doc_id])
    out_dir = SET_DIR / "agreement"
    out_dir.mkdir(exist_ok=True)
    with open(out_dir / "blind_input.jsonl", "w", encoding="utf-8") as out:
        for doc_id in sorted(chosen):
            for row in by_doc[doc_id]:
                blind = {key: row[key] for key in ("doc_id", "claim_id", "start", "end", "text", "actor", "mentions")}
                out.write(json.dumps({**blind, **BLANK}, ensure_ascii=False) + "\n")
    print(f"{len(chosen)} documents, {pairs} pairs -> {out_dir / 'blind_input.jsonl'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 330)
