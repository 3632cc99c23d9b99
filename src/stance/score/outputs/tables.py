"""pairs.csv: the rows of pairs.jsonl flattened for spreadsheets (`pairs_csv=true`).

One row per (document, claim, actor): the probabilities as columns, the mentions as "text@start-end" joined
by "; ", and the kept input columns (`keep_fields`) last. Written whole to a temporary name and renamed.
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from stance.atomic import atomic_file
from stance.score.aggregate import LABELS

PAIRS_CSV = "pairs.csv"
COLUMNS = ("doc_id", "claim_id", "start", "end", "actor", "kind", "label",
           *(f"p_{label}" for label in LABELS), "score", "mentions", "windowed", "text")


def csv_row(pair: dict, fields: Sequence[str]) -> dict:
    mentions = "; ".join(f"{m['text']}@{m['start']}-{m['end']}" for m in pair["mentions"])
    row = {key: pair.get(key) for key in COLUMNS if key in pair}
    row.update({f"p_{label}": pair["probs"].get(label) for label in LABELS}, mentions=mentions)
    row.update({name: pair.get(name) for name in fields})
    return row


def write_pairs_csv(out_dir: str | Path, pairs: list[dict], fields: Sequence[str] = ()) -> Path:
    path = Path(out_dir) / PAIRS_CSV
    with atomic_file(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *fields], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(csv_row(pair, fields) for pair in pairs)
    return path
