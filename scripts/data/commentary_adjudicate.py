"""The commentary set's second labelling pass: compare it with the first and write the adjudicated labels back.

    python scripts/data/commentary_adjudicate.py list    # pass1.jsonl (first-pass labels of the blind sample)
                                                     # and disagreements.jsonl, in data/commentary/agreement/
                                                     # (before adjudication only: pass1 is then frozen)
    python scripts/data/commentary_adjudicate.py apply   # adjudication.jsonl -> the markup sources
    python scripts/data/commentary_markup.py build       # then regenerate the set

`adjudication.jsonl` holds one row per disagreement with the `final` label and a `reason`. `apply` rewrites the
stance of every full mention of that actor in that claim (or the claim's sentiment tag) in the markup file, so
the markup stays the one source of the labels. Agreement itself is measured with
`python -m stance.evaluate mode=agreement a=.../pass1.jsonl b=.../pass2.jsonl`.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[2] / "data" / "commentary"
AGREEMENT = SET_DIR / "agreement"
SENTIMENT_TAGS = {"negative": "neg", "neutral": "neu", "positive": "pos"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def list_disagreements() -> None:
    if (AGREEMENT / "adjudication.jsonl").exists():  # test.jsonl holds adjudicated labels from then on
        sys.exit(f"{AGREEMENT / 'adjudication.jsonl'} exists: pass1.jsonl is frozen as it was before adjudication")
    second = read_jsonl(AGREEMENT / "pass2.jsonl")
    docs = {row["doc_id"] for row in second}
    first = [row for row in read_jsonl(SET_DIR / "test.jsonl") if row["doc_id"] in docs]
    write_jsonl(AGREEMENT / "pass1.jsonl", first)
    by_key = {(r["doc_id"], r["claim_id"], r["actor"]): r for r in first}
    rows, claims_seen = [], set()
    for row in second:
        one = by_key[(row["doc_id"], row["claim_id"], row["actor"])]
        base = {"doc_id": row["doc_id"], "claim_id": row["claim_id"], "text": row["text"]}
        if row["actor"] is not None and row["stance"] != one["stance"]:
            rows.append({**base, "actor": row["actor"], "field": "stance", "pass1": one["stance"],
                         "pass2": row["stance"], "note1": one.get("note", ""), "note2": row.get("note", "")})
        if (row["doc_id"], row["claim_id"]) not in claims_seen and row["sentiment"] != one["sentiment"]:
            rows.append({**base, "actor": None, "field": "sentiment", "pass1": one["sentiment"],
                         "pass2": row["sentiment"], "note1": "", "note2": row.get("note", "")})
        claims_seen.add((row["doc_id"], row["claim_id"]))
    write_jsonl(AGREEMENT / "disagreements.jsonl", rows)
    print(f"{len(first)} first-pass rows; {len(rows)} disagreements -> {AGREEMENT / 'disagreements.jsonl'}")


def claim_lines(lines: list[str]) -> dict[tuple[str, int], int]:
    """(doc_id, claim_id) -> index of the claim's line in a markup file."""
    found, doc_id, claim_id = {}, None, 0
    for index, line in enumerate(lines):
        if line.startswith("### "):
            doc_id, claim_id = line[4:].strip(), 0
        elif re.match(r"^\[(neg|neu|pos)\] ", line) and doc_id:
            found[(doc_id, claim_id)] = index
            claim_id += 1
    return found


def apply_decision(line: str, decision: dict) -> str:
    if decision["field"] == "sentiment":
        return f"[{SENTIMENT_TAGS[decision['final']]}]" + line[5:]
    actor = re.escape(decision["actor"])
    pattern = re.compile(rf"\[\[([^|\]]*)\|{actor}\|(against|neutral|favor)(?=[|\]])")
    changed, count = pattern.subn(lambda m: f"[[{m.group(1)}|{decision['actor']}|{decision['final']}", line)
    if not count:
        raise ValueError(f"{decision['doc_id']} claim {decision['claim_id']}: no full mention of {decision['actor']}")
    return changed


def apply_adjudication() -> None:
    decisions = read_jsonl(AGREEMENT / "adjudication.jsonl")
    pending = {(d["doc_id"], d["claim_id"]): [] for d in decisions}
    for d in decisions:
        pending[(d["doc_id"], d["claim_id"])].append(d)
    applied = 0
    for path in sorted((SET_DIR / "markup").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for key, index in claim_lines(lines).items():
            for decision in pending.pop(key, []):
                if decision["final"] != decision["pass1"]:
                    lines[index] = apply_decision(lines[index], decision)
                    applied += 1
        path.write_text("\n".join(lines), encoding="utf-8")
    if pending:
        raise SystemExit(f"claims not found in the markup: {sorted(pending)}")
    print(f"{len(decisions)} decisions, {applied} labels changed in the markup")


if __name__ == "__main__":
    commands = {"list": list_disagreements, "apply": apply_adjudication}
    if sys.argv[1:] not in ([name] for name in commands):
        sys.exit(__doc__)
    commands[sys.argv[1]]()
