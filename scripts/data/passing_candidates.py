"""Draws the (tweet, second politician) pairs of data/passing/ from the training parts of P-Stance and
SemEval-2016 in ../shared, and writes the blind work files the two labelling passes read.

A pair is a tweet labelled toward one target (Trump, Biden, Sanders; Hillary Clinton in SemEval) that also
names another politician of the list below; its label, written by the passes, is the author's stance toward
that second politician (GUIDELINE.md). The repository keeps pointers (file, line, a digest of the tweet) and
spans, never the tweets' text (their terms: each SOURCE.md).

    python scripts/data/passing_candidates.py [--shared ../shared] [--pairs 1800] [--chunks 4] [--work DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

from stance.data import pstance, semeval
from stance.data.passing import digest

# Politicians a tweet of the 2016 and 2020 US campaigns names besides its target: actor -> pattern.
POLITICIANS = {
    "Trump": r"[#@]\w*trump\w*|\btrump\b|\bdonald\b|\bdjt\b|\bdrumpf\b",
    "Biden": r"[#@]\w*biden\w*|\bbiden\b|\b(?:sleepy|creepy|uncle) joe\b",
    "Sanders": r"[#@]\w*(?:bernie|sanders|feelthebern)\w*|\bbernie\b|\bsanders\b",
    "Clinton": r"[#@]\w*(?:hillary|hilary)\w*|\bhill?ary\b|(?<!bill )\bclinton\b|\bhrc\b",
    "Bill Clinton": r"\bbill clinton\b",
    "Pence": r"[#@]\w*pence\w*|\bpence\b",
    "Obama": r"[#@]\w*obama\w*|\bobama\b",
    "Warren": r"[#@]\w*warren\w*|\bwarren\b|\bpocahontas\b",
    "Buttigieg": r"[#@]\w*(?:buttigieg|mayorpete)\w*|\bbuttigieg\b|\bmayor pete\b",
    "Kamala Harris": r"[#@]\w*kamala\w*|\bkamala\b|\bharris\b",
    "Pelosi": r"[#@]\w*pelosi\w*|\bpelosi\b",
    "Ocasio-Cortez": r"@aoc\b|#aoc\b|\baoc\b|\bocasio",
    "Bloomberg": r"[#@]\w*bloomberg\w*|\bbloomberg\b",
    "Klobuchar": r"[#@]\w*klobuchar\w*|\bklobuchar\b",
    "Gabbard": r"[#@]\w*(?:tulsi|gabbard)\w*|\btulsi\b|\bgabbard\b",
    "Yang": r"[#@]\w*yang\w*|\bandrew yang\b|\byang\b",
    "Cruz": r"[#@]\w*cruz\w*|\bted cruz\b|\bcruz\b",
    "Rubio": r"[#@]\w*rubio\w*|\brubio\b",
    "Jeb Bush": r"[#@]jeb\w*|\bjeb\b",
    "Carson": r"\bben carson\b|\bcarson\b",
    "McConnell": r"[#@]\w*mcconnell\w*|\bmcconnell\b|\bmoscow mitch\b",
}
TARGET_ACTOR = {"Donald Trump": "Trump", "Joe Biden": "Biden", "Bernie Sanders": "Sanders",
                "Hillary Clinton": "Clinton"}
PATTERNS = {actor: re.compile(pattern, re.IGNORECASE) for actor, pattern in POLITICIANS.items()}


def tweets(shared: Path):
    """(file relative to shared/data, line, labelled target, text) of every training tweet toward a person, as
    the tweet sets' own readers give them."""
    files = [f"pstance/train_{short}.csv" for short in ("trump", "biden", "bernie")] + ["semeval2016/train.tsv"]
    for file in files:
        read_rows = semeval.read_rows if file.endswith(".tsv") else pstance.read_rows
        for row in read_rows(shared / "data" / file, []):
            if row.target in TARGET_ACTOR:  # SemEval's topics are not people
                yield file, int(row.where.rsplit(":", 1)[1]), row.target, row.text


def candidates(shared: Path) -> list[dict]:
    seen, rows = set(), []
    for file, line, target, text in tweets(shared):
        key = " ".join(text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        for actor, pattern in PATTERNS.items():
            spans = [[m.start(), m.end()] for m in pattern.finditer(text)]
            if actor == TARGET_ACTOR[target] or not spans:
                continue
            rows.append({"id": f"{file}:{line}|{actor}", "tweet": f"{file}:{line}", "file": file, "line": line,
                         "digest": digest(text), "labelled_target": target, "actor": actor,
                         "mentions": spans, "text": text})
    return rows


def draw(rows: list[dict], wanted: int) -> list[dict]:
    """Every SemEval pair, then whole P-Stance tweets in the order of a hash of their key until `wanted`."""
    by_tweet: dict[str, list[dict]] = {}
    for row in rows:
        by_tweet.setdefault(row["tweet"], []).append(row)
    order = sorted(by_tweet, key=lambda t: (not t.startswith("semeval"), hashlib.sha256(t.encode()).hexdigest()))
    drawn = []
    for tweet in order:
        if len(drawn) >= wanted:
            break
        drawn += by_tweet[tweet]
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--pairs", type=int, default=1800)
    parser.add_argument("--chunks", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path("/tmp/passing"))
    args = parser.parse_args()
    rows = candidates(args.shared)
    drawn = draw(rows, args.pairs)
    print(f"{len(rows)} candidate pairs in {len({r['tweet'] for r in rows})} tweets; drew {len(drawn)} pairs "
          f"in {len({r['tweet'] for r in drawn})} tweets")
    args.work.mkdir(parents=True, exist_ok=True)
    shuffled = sorted(drawn, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
    size = -(-len(shuffled) // args.chunks)
    for k in range(args.chunks):
        with (args.work / f"chunk{k + 1}.jsonl").open("w", encoding="utf-8") as out:
            for row in shuffled[k * size:(k + 1) * size]:
                mentioned = [row["text"][s:e] for s, e in row["mentions"]]
                out.write(json.dumps({"id": row["id"], "tweet": row["text"], "politician": row["actor"],
                                      "mentioned_as": mentioned}, ensure_ascii=False) + "\n")
    out_dir = Path(__file__).resolve().parents[2] / "data" / "passing"
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "candidates.jsonl").open("w", encoding="utf-8") as out:
        for row in drawn:
            out.write(json.dumps({k: v for k, v in row.items() if k != "text"}) + "\n")


if __name__ == "__main__":
    main()
