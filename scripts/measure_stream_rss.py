"""Peak memory of `python -m stance.score ... limit=N` on a huge JSONL against a file of N records: the input
is read as a stream, so the two should be within a few percent.

1. Writes <work>/small.jsonl (N records) and <work>/big.jsonl (the same N records first, then more, to
   --big-mb megabytes), each record 2-4 sentences of the example commentary (data/examples/), reshuffled.
2. Runs the real command on each with limit=N (fresh process each, shipped model), and reads its peak RSS
   from getrusage of a wrapper process that does nothing but wait for it.
3. Prints both peaks and their ratio; deletes big.jsonl unless --keep.

    python scripts/measure_stream_rss.py                 # 500 MB, limit=1000, under /tmp/stance_stream
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "middle-corridor.txt"
WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def records(seed: int):
    """Endless records of 2-4 example sentences each."""
    from stance.analyse.nlp import load_nlp
    from stance.analyse.segment import segment_claims

    sentences = [c.text for c in segment_claims(load_nlp()(EXAMPLE.read_text(encoding="utf-8")))]
    rng, number = random.Random(seed), 0
    while True:
        yield {"id": f"r{number:07d}", "text": " ".join(rng.sample(sentences, rng.randint(2, 4)))}
        number += 1


def write_inputs(work: Path, n: int, big_mb: int, seed: int) -> tuple[Path, Path]:
    work.mkdir(parents=True, exist_ok=True)
    small, big = work / "small.jsonl", work / "big.jsonl"
    stream = records(seed)
    first = [json.dumps(next(stream)) + "\n" for _ in range(n)]
    small.write_text("".join(first), encoding="utf-8")
    with big.open("w", encoding="utf-8") as handle:
        handle.writelines(first)
        while handle.tell() < big_mb * 1_000_000:
            handle.writelines(json.dumps(next(stream)) + "\n" for _ in range(10_000))
    return small, big


def peak_rss_mb(input_path: Path, out: Path, limit: int, model_dir: str) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one scoring run in a fresh process."""
    command = [sys.executable, "-m", "stance.score", f"input={input_path}", f"output={out}", f"limit={limit}",
               f"model_dir={model_dir}", "overwrite=true", "progress=false", "show_documents=0"]
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return int(result.stdout.split()[-1]) / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="/tmp/stance_stream", type=Path)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--big-mb", type=int, default=500)
    parser.add_argument("--model-dir", default=str(REPO / "models" / "default"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep big.jsonl")
    args = parser.parse_args()
    small, big = write_inputs(args.work, args.limit, args.big_mb, args.seed)
    print(f"inputs: {small} ({small.stat().st_size / 1e6:.1f} MB), {big} ({big.stat().st_size / 1e6:.1f} MB)")
    try:
        figures = {name: peak_rss_mb(path, args.work / f"out_{name}", args.limit, args.model_dir)
                   for name, path in (("small", small), ("big", big))}
    finally:
        if not args.keep:
            big.unlink(missing_ok=True)
    for name, (rss, seconds) in figures.items():
        print(f"{name}: peak RSS {rss:.0f} MB, {seconds:.1f} s (limit={args.limit})")
    print(f"big / small: {figures['big'][0] / figures['small'][0]:.3f}")
    shutil.rmtree(args.work / "out_small", ignore_errors=True)
    shutil.rmtree(args.work / "out_big", ignore_errors=True)


if __name__ == "__main__":
    main()
