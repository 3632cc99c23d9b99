"""Soak benchmark: does a scoring run's memory stay flat as the corpus grows (issue 34)?

    python scripts/bench/soak.py [--documents 10000 50000 215740] [--ray-documents 50000] [--model-dir tiny]

The corpus is P-Stance's 21,574 real tweets (../shared/data/pstance, every part) taken in turn, again and again,
with fresh ids and a date each, to DOCUMENTS documents (so actors_over_time.csv and the view's plots are built too; pairs.csv as well). Short posts
make pairs cheap. `--model-dir tiny` (the default) scores with the tiny random model of tests/conftest.py, so
that a run of half a million pairs takes minutes on one core: pairs/s is then the pipeline's speed around a
negligible model (spaCy, writing, the end-of-run tables), not the shipped model's, and the end-of-run share is a
harder test than with a real model; `--model-dir models/default` measures the shipped model instead.
For each size, `python -m stance.score` (one thread, a fresh process) scores it from scratch; the largest is
killed with SIGKILL once half its documents are done, then resumed. Per run: documents, pairs, peak RSS (the
process's; for Ray, also the whole process tree's), pairs/s, the end-of-run step's seconds (summary.json
`end_of_run_seconds`: the counts, actors.csv, pairs.csv, actors_over_time.csv, view.html) and its share of the
run's wall time. After the resume every document's rows are counted against its original's (a copy has the
same text, so the same pairs): rows lost and rows doubled. Writes <work>/soak.json and prints the table of
docs/benchmarks.md. Needs psutil (installed with the dev extra's Ray).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("STANCE_SHARED", REPO.parent / "shared"))
START = dt.date(2020, 1, 1)


def write_corpus(path: Path, documents: int) -> int:
    """`documents` records: P-Stance's tweets in turn, ids c<copy>-<n>, dated over a year."""
    tweets = []
    for part in sorted((SHARED / "data" / "pstance").glob("*.csv")):
        with part.open(encoding="utf-8", newline="") as handle:
            tweets += [row["Tweet"] for row in csv.DictReader(handle)]
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            copy, n = divmod(number, len(tweets))
            date = (START + dt.timedelta(days=n % 365)).isoformat()
            out.write(json.dumps({"id": f"c{copy:03d}-{n}", "text": tweets[n], "published": date}) + "\n")
    return documents


def run(corpus: Path, out: Path, *extra: str, kill_after_docs: int | None = None) -> dict:
    """One scoring run in a fresh process, sampled every 0.2 s: peak RSS of the process and of its tree."""
    command = [sys.executable, "-m", "stance.score", f"input={corpus}", f"output={out}", "progress=false",
               "show_documents=0", "threads=1", "date_field=published", "pairs_csv=true", *extra]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, tree_peak, killed = 0, 0, False
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
            tree = [process, *process.children(recursive=True)]
            tree_peak = max(tree_peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        if kill_after_docs and done_documents(out) >= kill_after_docs:
            process.send_signal(signal.SIGKILL)
            killed = True
        time.sleep(0.2)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode and not killed:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    result = {"peak_rss_mb": round(peak / 2**20), "tree_peak_rss_mb": round(tree_peak / 2**20),
              "wall_seconds": round(time.perf_counter() - started, 1), "killed": killed}
    if not killed:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        this_run = summary["this_run"]
        result.update(documents=summary["counts"]["documents"], pairs=summary["counts"]["pairs"],
                      pairs_scored=this_run["pairs_scored"], pairs_per_second=this_run["pairs_per_second"],
                      end_of_run_seconds=this_run["end_of_run_seconds"],
                      end_of_run_share=round(this_run["end_of_run_seconds"] / this_run["wall_seconds"], 4))
    return result


def done_documents(out: Path) -> int:
    path = out / "done.jsonl"
    if not path.is_file():
        return 0
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def rows_per_document(out: Path) -> Counter:
    counts: Counter = Counter()
    with (out / "pairs.jsonl").open("rb") as handle:
        for line in handle:
            counts[json.loads(line)["doc_id"]] += 1
    return counts


def lost_and_doubled(out: Path, base: Counter) -> dict:
    """Rows against each tweet's rows in the smallest run (copy c of tweet n has the id c<c>-<n>, the same text,
    so the same pairs; the smallest run holds every tweet that the largest holds at least once as c000-<n>)."""
    got = rows_per_document(out)
    done = [row["doc_id"] for row in map(json.loads, (out / "done.jsonl").read_bytes().splitlines())]
    expected = {doc_id: base[f"c000-{doc_id.split('-', 1)[1]}"] for doc_id in done}
    ids = set(got) | set(expected)
    return {"rows_lost": sum(max(0, expected.get(d, 0) - got[d]) for d in ids),
            "rows_doubled": sum(max(0, got[d] - expected.get(d, 0)) for d in ids),
            "documents_done": len(done), "documents_repeated_in_done": len(done) - len(set(done))}


def table(results: list[dict]) -> str:
    lines = ["| run | documents | pairs | peak RSS MB (process / tree) | pairs/s | end of run s (share) |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['name']} | {r.get('documents', '-'):,} | {r.get('pairs', '-'):,} | "
                     f"{r['peak_rss_mb']:,} / {r['tree_peak_rss_mb']:,} | {r.get('pairs_per_second', '-')} | "
                     f"{r.get('end_of_run_seconds', '-')} ({r.get('end_of_run_share', 0):.1%}) |"
                     if "documents" in r else
                     f"| {r['name']} | killed at {r['documents_done_at_kill']:,} documents | - | "
                     f"{r['peak_rss_mb']:,} / {r['tree_peak_rss_mb']:,} | - | - |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[21574, 107870, 431480])
    parser.add_argument("--ray-documents", type=int, default=107870, help="0: no Ray run")
    parser.add_argument("--model-dir", default="tiny", help="tiny: the tiny random model of the tests")
    parser.add_argument("--work", type=Path, default=Path("/tmp/stance_soak"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    model_dir = args.model_dir
    if model_dir == "tiny":
        sys.path.insert(0, str(Path(__file__).parent))
        from view_scale import tiny_model

        model_dir = tiny_model(args.work)
    results, base = [], Counter()
    sizes = sorted(args.documents)
    for documents in sizes:
        corpus = args.work / f"corpus-{documents}.jsonl"
        write_corpus(corpus, documents)
        out = args.work / f"out-{documents}"
        if documents == sizes[-1] and len(sizes) > 1:
            first = run(corpus, out, "overwrite=true", f"model_dir={model_dir}", kill_after_docs=documents // 2)
            results.append({"name": f"{documents:,} documents, killed (SIGKILL) midway", **first,
                            "documents_done_at_kill": done_documents(out)})
            print(table(results[-1:]).splitlines()[-1], flush=True)
            result = {"name": f"{documents:,} documents, resumed", **run(corpus, out, f"model_dir={model_dir}")}
            result.update(lost_and_doubled(out, base))
        else:
            result = {"name": f"{documents:,} documents", **run(corpus, out, "overwrite=true", f"model_dir={model_dir}")}
            if documents == sizes[0]:
                base = rows_per_document(out)
        results.append(result)
        print(table(results[-1:]).splitlines()[-1], flush=True)
    if args.ray_documents:
        corpus = args.work / f"corpus-{args.ray_documents}.jsonl"
        write_corpus(corpus, args.ray_documents)
        result = {"name": f"{args.ray_documents:,} documents, engine=ray",
                  **run(corpus, args.work / "out-ray", "overwrite=true", f"model_dir={model_dir}", "engine=ray",
                        "output_format=jsonl")}
        results.append(result)
    (args.work / "soak.json").write_text(json.dumps({"model_dir": args.model_dir, "runs": results}, indent=2),
                                         encoding="utf-8")
    print(f"model: {args.model_dir}; corpus: P-Stance's tweets in turn, one thread")
    print(table(results))
    resumed = [r for r in results if "rows_lost" in r]
    for r in resumed:
        print(f"{r['name']}: {r['documents_done']:,} documents done ({r['documents_repeated_in_done']} twice); "
              f"rows lost {r['rows_lost']}, rows doubled {r['rows_doubled']}")
    smallest, largest = results[0], next(r for r in results if "resumed" in r["name"]) if resumed else results[-1]
    print(f"peak RSS of the largest (resumed) against the smallest: {largest['peak_rss_mb'] / smallest['peak_rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
