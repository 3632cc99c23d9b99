"""Same outputs before and after a change: `python -m stance.score` on data/examples, compared file by file.

    python scripts/maintenance/check_same_outputs.py run /tmp/before      # on the old code
    python scripts/maintenance/check_same_outputs.py run /tmp/after       # on the new code
    python scripts/maintenance/check_same_outputs.py compare /tmp/before /tmp/after

`run` scores each variant below (the default input, the directory, the posts with kept fields, dates, pairs.csv
and your own actors, the posts from Parquet to Parquet shards, given pairs, the two earlier shipped models)
into one fixed directory per variant (WORK), so that the paths written into the outputs are the same on
both sides, then copies it to DEST/<variant>. `compare` says, for every file, whether the two runs wrote
the same bytes. Left out of the byte comparison, as they differ between any two runs of one code:
- `score.lock`: the process id and start time of the run that held the directory;
- `summary.json`: compared with the timings of `this_run` (seconds, pairs per second) removed, byte for
  byte otherwise.
Exit status 1 when anything differs.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = Path("/tmp/stance-same-outputs")
EXAMPLES = REPO / "data" / "examples"
POSTS = ["keep_fields=[published,outlet,author]", "pairs_csv=true", "date_field=published",
         f"actors_file={EXAMPLES / 'my_actors.yaml'}"]
VARIANTS = {
    "default": [],
    "directory": [f"input={EXAMPLES}"],
    "posts": [f"input={EXAMPLES / 'posts.csv'}", *POSTS],
    "posts_parquet": [f"input={WORK / 'inputs' / 'posts.parquet'}", "output_format=parquet", *POSTS],
    "pairs": [f"input={WORK / 'inputs' / 'pairs.jsonl'}", "input_format=pairs"],
    "mix_v1": [f"model_dir={REPO / 'models' / 'mix-v1'}"],
    "newsmtsc_v1": [f"model_dir={REPO / 'models' / 'newsmtsc-v1'}", f"input={EXAMPLES / 'posts.csv'}"],
}
EXCLUDED = {"score.lock"}
TIMINGS = ("load_seconds", "scoring_seconds", "analysis_seconds", "model_seconds", "wall_seconds", "end_of_run_seconds",
           "pairs_per_second")


def write_inputs() -> None:
    """posts.csv as Parquet; given pairs from labels.csv (the target's first occurrence as the mention)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    inputs = WORK / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    pq.write_table(pcsv.read_csv(EXAMPLES / "posts.csv"), inputs / "posts.parquet")
    with (EXAMPLES / "labels.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:40]
    with (inputs / "pairs.jsonl").open("w", encoding="utf-8") as out:
        for number, row in enumerate(rows):
            start = row["text"].find(row["target"])
            if start >= 0:
                mention = {"start": start, "end": start + len(row["target"])}
                out.write(json.dumps({"id": f"pair{number}", "text": row["text"], "mentions": [mention]}) + "\n")


def run(dest: Path) -> None:
    write_inputs()
    for name, overrides in VARIANTS.items():
        output = WORK / name
        command = [sys.executable, "-m", "stance.score", f"output={output}", "overwrite=true", "progress=false",
                   "threads=1", *overrides]
        print("+", " ".join(command), flush=True)
        subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        shutil.rmtree(dest / name, ignore_errors=True)
        shutil.copytree(output, dest / name)


def without_timings(path: Path) -> str:
    summary = json.loads(path.read_text(encoding="utf-8"))
    for key in TIMINGS:
        summary["this_run"].pop(key, None)
    return json.dumps(summary, indent=2, ensure_ascii=False)


def compare(before: Path, after: Path) -> int:
    names = sorted({p.relative_to(before) for p in before.rglob("*") if p.is_file()}
                   | {p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if name.name in EXCLUDED:
            print(f"excluded  {name}")
            continue
        if not a.is_file() or not b.is_file():
            same, how = False, f"only in {'after' if b.is_file() else 'before'}"
        elif name.name == "summary.json":
            same, how = without_timings(a) == without_timings(b), "same but for this_run's timings"
        else:
            same, how = filecmp.cmp(a, b, shallow=False), "same bytes"
        differ += not same
        print(f"{'ok' if same else 'DIFFERS':<9} {name}" + (f"  ({how})" if same and how != "same bytes" else
                                                            "" if same else f"  ({how})" if "only" in how else ""))
    print(f"{len(names)} files, {differ} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run").add_argument("dest", type=Path)
    pair = commands.add_parser("compare")
    pair.add_argument("before", type=Path)
    pair.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.dest)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
