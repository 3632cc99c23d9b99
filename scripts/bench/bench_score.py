"""Scoring benchmark: the whole `python -m stance.score` command against a naive one-pair-at-a-time
`transformers.pipeline`, in float32 and with `bf16=true`, and what bf16 costs in macro-F1.

1. Builds N documents by recombining the seed commentary's claims (seeded) into corpus.jsonl.
2. Runs the real command on it (a fresh process each: imports, model load, claim/actor extraction,
   scoring, writing all included) per variant (fp32, bf16): wall time, pairs/s, docs/s, peak RSS,
   and the command's own split (startup, load, analysis, model seconds).
3. Scores the same pairs (read back from the fp32 pairs.jsonl) through a `transformers.Pipeline` over
   the same weights and encoding on transformers' own BertModel (what a first attempt runs), one pair per
   call; and through batched `predict_proba`, on that model and on the lean encoder scoring loads.
4. Runs the command in pairs mode on NewsMTSC test_rw (given targets) per variant: macro-F1.

    python scripts/bench/bench_score.py --model-dir models/default --docs 300
    python scripts/bench/bench_score.py --engine ray     # local vs Ray engine, Ray's overhead, a cluster estimate
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Overrides of each command variant; the bare command picks bf16 where the CPU has it natively, else fp32.
VARIANTS = {"fp32": ["bf16=false"], "bf16": ["bf16=true"]}


def parse_args() -> argparse.Namespace:
    from stance.config import compose

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", default=str(REPO / "models" / "default"))
    parser.add_argument("--docs", type=int, default=300, help="documents in the recombined corpus")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    shared = Path(compose("score").paths.shared)  # as the commands resolve it (STANCE_SHARED, paths.shared)
    parser.add_argument("--seed-text", default=str(shared / "seed" / "commentary-01.txt"))
    parser.add_argument("--newsmtsc", default=str(shared / "data" / "newsmtsc" / "hf" / "test_rw.jsonl"))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS),
                        help="command variants to run (fp32 is always needed)")
    parser.add_argument("--naive-limit", type=int, default=None, help="score only the first N pairs naively")
    parser.add_argument("--work", default=str(REPO / "outputs" / "bench" / "score"), help="corpus and run outputs")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="ray: the local and the Ray engine on the same corpus and the seed (scripts/bench/bench_ray.py)")
    parser.add_argument("--ray-actors", type=int, default=1, help="--engine ray: ray.num_model_actors")
    parser.add_argument("--ray-threads", type=int, default=1, help="--engine ray: ray.threads_per_actor")
    args = parser.parse_args()
    if "fp32" not in args.variants:
        parser.error("--variants needs fp32: the other variants are compared with it")
    return args


def seed_claims(path: str) -> list[str]:
    from stance.analyse.nlp import load_nlp
    from stance.analyse.segment import segment_claims
    from stance.textfile import LineProblem, decode_text

    text = decode_text(Path(path).read_bytes())  # as scoring reads a document (CRLF kept, BOM dropped)
    if isinstance(text, LineProblem):
        sys.exit(f"{path}:{text.line}: {text.message}")
    return [claim.text for claim in segment_claims(load_nlp()(text))]


def build_corpus(claims: list[str], n_docs: int, seed: int) -> list[str]:
    """N documents of 6-12 random seed claims each, in 1-4 paragraphs."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n_docs):
        picked = [rng.choice(claims) for _ in range(rng.randint(6, 12))]
        cuts = sorted(rng.sample(range(1, len(picked)), k=rng.randint(0, 3)))
        docs.append("\n\n".join(" ".join(picked[a:b]) for a, b in zip([0, *cuts], [*cuts, len(picked)])))
    return docs


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_command(overrides: list[str], log: Path) -> dict:
    """`python -m stance.score ...` in a fresh process: wall seconds, peak RSS, exit code, its summary.json."""
    command = [sys.executable, "-m", "stance.score", "overwrite=true", "progress=false", "show_documents=0", *overrides]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code}); see {log}")
    out = Path(next(o.split("=", 1)[1] for o in overrides if o.startswith("output=")))
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "load_avg_1min_before": load_before,
            "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")), "out": out}


def command_variant(args: argparse.Namespace, work: Path, name: str, corpus: Path, test_pairs: Path,
                    gold: list[str]) -> dict:
    """One variant of the command: end to end on the corpus, then macro-F1 on test_rw given pairs."""
    from stance.evaluate.metrics import macro_f1

    common = [f"model_dir={args.model_dir}", f"batch_size={args.batch_size}", *VARIANTS[name]]
    if args.threads:
        common.append(f"threads={args.threads}")
    run = run_command([*common, f"input={corpus}", f"output={work / name}"], work / f"{name}.log")
    counts, this_run = run["summary"]["counts"], run["summary"]["this_run"]
    test = run_command([*common, f"input={test_pairs}", "input_format=pairs", f"output={work / (name + '_test_rw')}"],
                       work / f"{name}_test_rw.log")
    predicted = {int(row["doc_id"]): row["label"] for row in read_jsonl(test["out"] / "pairs.jsonl")}
    labels = run["summary"]["model"]["labels"]
    return {
        "precision": run["summary"]["model"]["precision"], "wall_s": round(run["wall_s"], 2), "documents": counts["documents"],
        "claims": counts["claims"], "pairs": counts["pairs"], "windowed_claims": counts["windowed_claims"],
        "pairs_per_s": round(counts["pairs"] / run["wall_s"], 1),
        "docs_per_s": round(counts["documents"] / run["wall_s"], 2),
        "peak_rss_mb": round(run["peak_rss_mb"], 1), "load_avg_1min_before": round(run["load_avg_1min_before"], 2),
        "command_split_s": {  # where the wall time went, as the command measured it
            "imports_and_startup": round(run["wall_s"] - this_run["wall_seconds"], 2),
            "model_load": this_run["load_seconds"], "scoring": this_run["scoring_seconds"],
            "writing_outputs": round(this_run["wall_seconds"] - this_run["load_seconds"] - this_run["scoring_seconds"], 2),
        },
        # Busy seconds of the two scoring stages; they overlap (spaCy on one thread, the model on another).
        "scoring_busy_s": {"claims_and_actors": this_run["analysis_seconds"], "model": this_run["model_seconds"]},
        "torch_threads": this_run["torch_threads"],
        "test_rw": {"pairs": len(gold), "scored": len(predicted), "errors": test["summary"]["counts"]["errors"],
                    "f1_macro": round(macro_f1([gold[i] for i in sorted(predicted)],
                                               [predicted[i] for i in sorted(predicted)], labels), 4)},
    }


def agreement(fp32_corpus: Path, corpus: Path, fp32_test: Path, test: Path) -> dict:
    """How often a variant gives fp32's label, and its largest score difference, pair by pair."""
    def compare(a_dir: Path, b_dir: Path) -> tuple[float, float]:
        a, b = read_jsonl(a_dir / "pairs.jsonl"), read_jsonl(b_dir / "pairs.jsonl")
        assert [(r["doc_id"], r["claim_id"], r["actor"]) for r in a] == [(r["doc_id"], r["claim_id"], r["actor"]) for r in b]
        same = sum(x["label"] == y["label"] for x, y in zip(a, b)) / len(a)
        return round(same, 4), round(max(abs(x["score"] - y["score"]) for x, y in zip(a, b)), 4)

    (corpus_labels, corpus_diff), (test_labels, test_diff) = compare(fp32_corpus, corpus), compare(fp32_test, test)
    return {"corpus_same_label": corpus_labels, "corpus_max_score_diff": corpus_diff,
            "test_rw_same_label": test_labels, "test_rw_max_score_diff": test_diff}


def naive_and_batched(args: argparse.Namespace, pairs: list[dict]) -> dict:
    """The same pairs through a one-pair-per-call transformers.Pipeline and through batched predict_proba,
    all in float32; the first two on transformers' BertModel (adapter folded in), the last on the lean one."""
    import numpy as np
    import torch
    from transformers import Pipeline

    from stance.model.classifier import load_classifier
    from stance.model.encoding import collate
    from stance.model.predict import calibrated_probs, encode_examples, features, predict_proba
    from stance.quiet import quiet_library_notices
    from stance.types import PairExample, Span

    quiet_library_notices()
    if args.threads:
        torch.set_num_threads(args.threads)
    loaded = load_classifier(args.model_dir, lean=False)
    examples = [PairExample(p["text"], [Span(m["start"] - p["start"], m["end"] - p["start"]) for m in p["mentions"]])
                for p in pairs[: args.naive_limit]]

    class OnePairPipeline(Pipeline):
        """What a first attempt looks like: a transformers pipeline called once per (claim, actor) pair."""

        def _sanitize_parameters(self, **kwargs):
            return {}, {}, {}

        def preprocess(self, example):
            return collate([features(encode_examples(loaded.tokenizer, loaded.model_cfg, [example])[0])], loaded.tokenizer.pad_token_id or 0)

        def _forward(self, inputs):
            return self.model(**inputs)

        def postprocess(self, outputs):  # the model's saved calibration, as scoring applies it
            return calibrated_probs(outputs["logits"][:1].detach().float().numpy(), loaded.calibration)[0]

    loaded.model.device = torch.device("cpu")  # what Pipeline asks of a model; StanceClassifier is a plain Module
    naive = OnePairPipeline(model=loaded.model, tokenizer=loaded.tokenizer, device=torch.device("cpu"))
    naive(examples[0])  # warm-up, as a long-running service would be
    started = time.perf_counter()
    naive_probs = np.stack([naive(example) for example in examples])
    naive_s = time.perf_counter() - started
    started = time.perf_counter()
    batched_probs = predict_proba(loaded, examples, args.batch_size).probs
    batched_s = time.perf_counter() - started
    lean = load_classifier(args.model_dir)
    started = time.perf_counter()
    lean_probs = predict_proba(lean, examples, args.batch_size).probs
    lean_s = time.perf_counter() - started
    return {"pairs": len(examples), "torch_threads": torch.get_num_threads(),
            "naive_pipeline_pairs_per_s": round(len(examples) / naive_s, 1),
            "batched_model_pairs_per_s": round(len(examples) / batched_s, 1),
            "batched_lean_encoder_pairs_per_s": round(len(examples) / lean_s, 1),
            "max_prob_difference": float(max(np.abs(naive_probs - batched_probs).max(),
                                             np.abs(naive_probs - lean_probs).max()))}


def main() -> None:
    args = parse_args()
    from stance.data.sources import load_source

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    docs = build_corpus(seed_claims(args.seed_text), args.docs, args.seed)
    corpus = write_jsonl(work / "corpus.jsonl", [{"id": f"doc{i:04d}", "text": text} for i, text in enumerate(docs)])
    if args.engine == "ray":
        from bench_ray import bench_engines  # scripts/bench/ is on sys.path when this script runs

        bench_engines(args, work, corpus, run_command, write_jsonl)
        return
    test_rw = load_source({"format": "newsmtsc", "path": args.newsmtsc})
    test_pairs = write_jsonl(work / "test_rw_pairs.jsonl", [
        {"id": str(i), "text": ex.text, "mentions": [{"start": s.start, "end": s.end} for s in ex.spans]}
        for i, ex in enumerate(test_rw)])
    gold = [ex.label for ex in test_rw]

    variants = {name: command_variant(args, work, name, corpus, test_pairs, gold) for name in args.variants}
    fp32 = variants["fp32"]
    for name, variant in variants.items():
        variant["agreement_with_fp32"] = agreement(work / "fp32", work / name, work / "fp32_test_rw",
                                                   work / f"{name}_test_rw")
    same_pairs = naive_and_batched(args, read_jsonl(work / "fp32" / "pairs.jsonl"))
    naive = same_pairs["naive_pipeline_pairs_per_s"]
    report = {
        "settings": {k: getattr(args, k) for k in ("model_dir", "docs", "threads", "batch_size", "seed", "newsmtsc")},
        "machine": {"cpus": os.cpu_count(), "load_avg_1min_at_end": round(os.getloadavg()[0], 2)},
        "command": variants, "same_pairs": same_pairs,
        "end_to_end_vs_naive": {name: round(v["pairs_per_s"] / naive, 2) for name, v in variants.items()},
        "f1_macro_change_vs_fp32": {name: round(v["test_rw"]["f1_macro"] - fp32["test_rw"]["f1_macro"], 4)
                                    for name, v in variants.items()},
    }
    (work / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")

    print(f"corpus: {fp32['documents']} documents, {fp32['claims']} claims, {fp32['pairs']} (claim, actor) pairs, "
          f"{fp32['windowed_claims']} windowed claims; {os.cpu_count()} CPUs, torch threads {fp32['torch_threads']}")
    print("whole command (python -m stance.score, fresh process: imports, model load, extraction, scoring, writing)")
    print(f"{'':5} {'wall s':>7} {'pairs/s':>8} {'docs/s':>7} {'RSS MB':>7} {'x naive':>8} {'test_rw F1m':>11}   "
          "wall split: startup / load / scoring / writing s  (scoring busy: claims+actors | model s)  [load avg before]")
    for name, v in variants.items():
        split = " / ".join(str(x) for x in v["command_split_s"].values())
        busy = " | ".join(str(x) for x in v["scoring_busy_s"].values())
        print(f"{name:5} {v['wall_s']:>7} {v['pairs_per_s']:>8} {v['docs_per_s']:>7} {v['peak_rss_mb']:>7} "
              f"{report['end_to_end_vs_naive'][name]:>8} {v['test_rw']['f1_macro']:>11}   {split}  ({busy})  "
              f"[{v['load_avg_1min_before']}]")
    print(f"same {same_pairs['pairs']} pairs, model only (fp32): naive one-pair transformers.Pipeline {naive} pairs/s, "
          f"batched predict_proba {same_pairs['batched_model_pairs_per_s']} pairs/s "
          f"(x{same_pairs['batched_model_pairs_per_s'] / naive:.2f}), batched on the lean encoder "
          f"{same_pairs['batched_lean_encoder_pairs_per_s']} pairs/s "
          f"(x{same_pairs['batched_lean_encoder_pairs_per_s'] / naive:.2f}); max prob difference "
          f"{same_pairs['max_prob_difference']:.1e}")
    for name, change in report["f1_macro_change_vs_fp32"].items():
        if name != "fp32":
            same = variants[name]["agreement_with_fp32"]
            print(f"{name}: macro-F1 on NewsMTSC test_rw (given pairs, {fp32['test_rw']['pairs']}) "
                  f"{variants[name]['test_rw']['f1_macro']} vs fp32 {fp32['test_rw']['f1_macro']} ({change:+.4f}); "
                  f"same label as fp32 on {same['corpus_same_label']:.1%} of corpus pairs and "
                  f"{same['test_rw_same_label']:.1%} of test_rw, largest score difference "
                  f"{max(same['corpus_max_score_diff'], same['test_rw_max_score_diff']):.3f}")
    print(f"written {work / 'bench.json'}")


if __name__ == "__main__":
    main()
