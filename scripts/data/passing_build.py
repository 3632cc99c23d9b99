"""Builds data/passing/pairs.jsonl from the drawn candidates and the two blind passes plus the adjudication
(data/passing/passes/), splits it by tweet, and prints the agreement and the counts that its README gives.

    python scripts/data/passing_build.py
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from stance.data.splits import hash_split

ROOT = Path(__file__).resolve().parents[2] / "data" / "passing"
SPLIT = (("train", 70), ("dev", 85), ("test", 100))  # by tweet: every pair of a tweet falls in one part
LABELS = ("against", "neutral", "favor", "not_this_person")


def read(path: Path) -> dict[str, str]:
    return {row["id"]: row["stance"] for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def cohen_kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[label] * count_b[label] for label in LABELS) / n / n
    return (observed - expected) / (1 - expected)


def main() -> None:
    candidates = [json.loads(line) for line in (ROOT / "candidates.jsonl").read_text(encoding="utf-8").splitlines()]
    first, second = read(ROOT / "passes" / "pass1.jsonl"), read(ROOT / "passes" / "pass2.jsonl")
    adjudicated = read(ROOT / "passes" / "adjudicated.jsonl")
    ids = [row["id"] for row in candidates]
    a, b = [first[i] for i in ids], [second[i] for i in ids]
    print(f"{len(ids)} pairs labelled twice; agreement {sum(x == y for x, y in zip(a, b)) / len(ids):.3f}, "
          f"Cohen's kappa {cohen_kappa(a, b):.3f}; {len(adjudicated)} disagreements adjudicated")
    rows = []
    for row in candidates:
        final = adjudicated.get(row["id"], first[row["id"]])
        if first[row["id"]] != second[row["id"]] and row["id"] not in adjudicated:
            raise SystemExit(f"{row['id']}: the passes disagree and no adjudication is recorded")
        if final == "not_this_person":
            continue
        rows.append({**row, "split": hash_split(row["tweet"], SPLIT), "stance": final,
                     "pass1": first[row["id"]], "pass2": second[row["id"]]})
    (ROOT / "pairs.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(ids) - len(rows)} pairs dropped (the name is another person's); {len(rows)} pairs kept")
    for split in ("train", "dev", "test"):
        part = [row for row in rows if row["split"] == split]
        labels = Counter(row["stance"] for row in part)
        print(f"{split}: {len({row['tweet'] for row in part})} tweets, {len(part)} pairs, "
              + ", ".join(f"{label} {labels[label]}" for label in LABELS[:3]))


if __name__ == "__main__":
    main()
