"""How a 540,000-character text without sentence punctuation scores, against the same text punctuated.

1. Builds one document of --chars characters by recombining the seed commentary's claims (or, without
   ../shared, the example commentary's), and its twin with every . ! ? removed and line breaks made spaces:
   one "sentence" over `segment.max_claim_chars`, cut into claims of at most `segment.split_piece_chars`.
2. Runs `python -m stance.score` (fresh process, shipped model) on the punctuated text, then on the flat
   one at each --pieces value, --rounds times in turn (so a busy machine slows all alike).
3. Prints claims, pairs, split_long, seconds, pairs/s and characters/s of each, and the flat/punctuated
   ratios (median over rounds).

    python scripts/bench/measure_long_claims.py --pieces 200 1000
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def source_claims() -> tuple[list[str], str]:
    from stance.analyse.nlp import load_nlp
    from stance.analyse.segment import segment_claims
    from stance.config import compose
    from stance.textfile import decode_text

    seed = Path(compose("score").paths.shared) / "seed" / "commentary-01.txt"
    path = seed if seed.is_file() else REPO / "data" / "examples" / "middle-corridor.txt"
    text = decode_text(path.read_bytes())  # as scoring reads a document: CRLF kept, so offsets agree
    if not isinstance(text, str):
        sys.exit(f"{path}:{text.line}: {text.message}")
    return [c.text for c in segment_claims(load_nlp()(text))], str(path)


def texts(claims: list[str], chars: int, seed: int) -> dict[str, str]:
    import random

    rng, parts, size = random.Random(seed), [], 0
    while size < chars:
        paragraph = " ".join(rng.choice(claims) for _ in range(rng.randint(3, 8)))
        parts.append(paragraph)
        size += len(paragraph) + 2
    punctuated = "\n\n".join(parts)[:chars]
    return {"punctuated": punctuated, "flat": re.sub(r"[.!?\u2026]", "", punctuated).replace("\n", " ")}


def run(path: Path, out: Path, piece: int | None, model_dir: str) -> dict:
    command = [sys.executable, "-m", "stance.score", f"input={path}", f"output={out}", f"model_dir={model_dir}",
               "overwrite=true", "progress=false", "show_documents=0"]
    if piece is not None:
        command.append(f"segment.split_piece_chars={piece}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {**{k: summary["counts"][k] for k in ("claims", "pairs", "split_long", "windowed_pairs")},
            **{k: summary["this_run"][k] for k in ("scoring_seconds", "analysis_seconds", "model_seconds",
                                                   "pairs_per_second")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=540_000)
    parser.add_argument("--pieces", type=int, nargs="+", default=[200], help="segment.split_piece_chars values")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--model-dir", default=str(REPO / "models" / "default"))
    parser.add_argument("--work", default=str(REPO / "outputs" / "bench" / "long_claims"), type=Path)
    args = parser.parse_args()
    claims, origin = source_claims()
    args.work.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in texts(claims, args.chars, 0).items():
        paths[name] = args.work / f"{name}.jsonl"
        paths[name].write_text(json.dumps({"id": name, "text": text}) + "\n", encoding="utf-8")
    print(f"{args.chars:,} characters from the claims of {origin}")
    variants = [("punctuated", None)] + [("flat", piece) for piece in args.pieces]
    results: dict[tuple, list[dict]] = {v: [] for v in variants}
    for _ in range(args.rounds):
        for name, piece in variants:
            results[(name, piece)].append(run(paths[name], args.work / f"out_{name}_{piece}", piece, args.model_dir))
    base = statistics.median(r["scoring_seconds"] for r in results[("punctuated", None)])
    for (name, piece), runs in results.items():
        seconds = statistics.median(r["scoring_seconds"] for r in runs)
        rate = statistics.median(r["pairs_per_second"] for r in runs)
        last = runs[-1]
        setting = f"split_piece_chars={piece}" if piece else "defaults"
        print(f"{name:<10} {setting:<22} claims {last['claims']:>5} (split_long {last['split_long']}), "
              f"pairs {last['pairs']:>5} ({last['windowed_pairs']} windowed): {seconds:.1f} s scoring, "
              f"{rate:.1f} pairs/s, {args.chars / seconds:,.0f} chars/s, x{seconds / base:.2f} the punctuated time")


if __name__ == "__main__":
    main()
