"""Training speed (examples/s) of MiniLM and mpnet on this CPU, one lever at a time from a base recipe
(LoRA on every layer, float32, max_length 128, batch 32): batch 16, max_length 64, bf16 autocast, LoRA on the
upper layers only with the lower ones frozen, and what computing the frozen layers' outputs once for all
epochs would leave (the step time less their forward pass, measured on the same batches: an estimate).

Every example is max_length tokens long (the worst case: real batches are padded to their longest example
only). A few steps each, the settings stepped in turn so that other work on the machine slows all alike; the
median step's wall time (examples/s) and this process's CPU time (examples per CPU-second, less sensitive to
other jobs). Figures for choosing a recipe, not a benchmark: say what else ran.

    .venv/bin/python scripts/bench/measure_mpnet_speed.py [--steps 3] [--threads 2] [--out FILE.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from contextlib import nullcontext

import torch
from omegaconf import OmegaConf
from peft import LoraConfig, get_peft_model
from transformers import AutoModel, AutoTokenizer

from stance.config import compose
from stance.model.classifier import StanceClassifier, resolve_backbone

BASE = {"scope": "all", "bf16": False, "max_length": 128, "batch": 32}
LEVERS = [  # (row name, changes to BASE)
    ("base: LoRA all layers, fp32, len 128, batch 32", {}),
    ("batch 16", {"batch": 16}),
    ("max_length 64", {"max_length": 64}),
    ("bf16 autocast", {"bf16": True}),
    ("LoRA upper half, lower half frozen", {"scope": "upper"}),
    ("upper half + bf16 + len 64", {"scope": "upper", "bf16": True, "max_length": 64}),
]


class StopForward(Exception):
    """Raised by a hook to end a forward pass at a chosen layer."""


def build(model_name: str, scope: str) -> tuple[StanceClassifier, int, int, int]:
    """The classifier of conf/model/<model_name>.yaml with LoRA (and trained LayerNorms) on every layer
    (scope "all") or on the upper half only ("upper"); returns it, its layer count, its vocabulary size and
    the number of frozen layers."""
    cfg = OmegaConf.to_container(compose("train", [f"model={model_name}"]).model, resolve=True)
    path = resolve_backbone(cfg["backbone"])
    backbone = AutoModel.from_pretrained(path, use_safetensors=True)
    layers = backbone.config.num_hidden_layers
    frozen = layers // 2 if scope == "upper" else 0
    upper = "|".join(str(i) for i in range(frozen, layers))
    targets = "|".join(cfg["lora_target_modules"])
    lora = LoraConfig(r=cfg["lora_r"], lora_alpha=cfg["lora_alpha"], lora_dropout=cfg["lora_dropout"],
                      target_modules=rf"^(?!.*pooler\.).*\.layer\.({upper})\..*\.({targets})$")
    wrapped = get_peft_model(backbone, lora)
    for name, param in wrapped.named_parameters():
        in_upper = any(f".layer.{i}." in name for i in range(frozen, layers))
        if in_upper and any(part in name for part in cfg["train_also"]):
            param.requires_grad = True
    model = StanceClassifier(wrapped, 3, dropout=cfg["dropout"], num_sentiments=3)
    return model, layers, AutoTokenizer.from_pretrained(path).vocab_size, frozen


def make_batch(vocab: int, batch: int, length: int) -> dict[str, torch.Tensor]:
    ids = torch.randint(1000, vocab, (batch, length))
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "token_type_ids": torch.zeros_like(ids),
            "marker_index": torch.randint(1, length, (batch,)), "labels": torch.randint(0, 3, (batch,)),
            "sentiment_labels": torch.randint(0, 3, (batch,))}


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of fn()."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def train_step(model, optimizer, batch, bf16: bool) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext():
        loss = model(**batch)["loss"]
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def lower_forward(model, batch, bf16: bool, frozen: int) -> None:
    """The forward pass up to layer `frozen` (embeddings and the frozen layers), without gradients."""

    def stop(*_):
        raise StopForward

    handle = model.backbone.base_model.model.encoder.layer[frozen].register_forward_pre_hook(stop)
    try:
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext():
            model(**batch)
    except StopForward:
        pass
    finally:
        handle.remove()


def measure(model_names: list[str], steps: int) -> list[dict]:
    """Every (model, lever) setting, stepped round-robin so that a busy moment of the machine slows all alike;
    the first round is a warm-up. Median wall and CPU time per step."""
    built, runs = {}, []
    for name in model_names:
        for row, changes in LEVERS:
            setting = {**BASE, **changes}
            key = (name, setting["scope"])
            if key not in built:
                built[key] = build(name, setting["scope"])
            model, layers, vocab, frozen = built[key]
            trained = [p for p in model.parameters() if p.requires_grad]
            runs.append({"model": name, "row": row, **setting, "frozen_layers": frozen, "layers": layers,
                         "_model": model, "_optimizer": torch.optim.AdamW(trained, lr=1e-4),
                         "_batch": make_batch(vocab, setting["batch"], setting["max_length"]), "_t": [], "_lower": []})
    for round_ in range(steps + 1):
        for run in runs:
            run["_model"].train()
            took = timed(lambda r=run: train_step(r["_model"], r["_optimizer"], r["_batch"], r["bf16"]))
            if run["frozen_layers"]:
                lower = timed(lambda r=run: lower_forward(r["_model"], r["_batch"], r["bf16"], r["frozen_layers"]))
            if round_:
                run["_t"].append(took)
                if run["frozen_layers"]:
                    run["_lower"].append(lower[0])
        print(f"round {round_} of {steps} done (load {os.getloadavg()[0]:.1f})", flush=True)
    rows = []
    for run in runs:
        wall = statistics.median(t[0] for t in run["_t"])
        cpu = statistics.median(t[1] for t in run["_t"])
        row = {k: v for k, v in run.items() if not k.startswith("_")}
        row.update(step_s=round(wall, 3), cpu_s=round(cpu, 3), examples_per_s=round(run["batch"] / wall, 2),
                   examples_per_cpu_s=round(run["batch"] / cpu, 2))
        if run["_lower"]:
            lower = statistics.median(run["_lower"])
            row.update(lower_forward_s=round(lower, 3),
                       examples_per_s_cached=round(run["batch"] / max(wall - lower, 1e-6), 2))
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def table(rows: list[dict]) -> str:
    by = {(r["model"], r["row"]): r for r in rows}
    lines = [("| lever | MiniLM ex/s | mpnet ex/s | mpnet / MiniLM | MiniLM, mpnet ex per CPU-s "
             "| frozen outputs cached: MiniLM, mpnet ex/s |"), "|---|---|---|---|---|---|"]
    for row, _ in LEVERS:
        mini, mp = by.get(("minilm", row)), by.get(("mpnet", row))
        if not mini or not mp:
            continue
        cached = (f"{mini['examples_per_s_cached']}, {mp['examples_per_s_cached']}"
                  if "examples_per_s_cached" in mp else "")
        lines.append(f"| {row} | {mini['examples_per_s']} | {mp['examples_per_s']} | "
                     f"{mp['examples_per_s'] / mini['examples_per_s']:.2f} | "
                     f"{mini['examples_per_cpu_s']}, {mp['examples_per_cpu_s']} | {cached} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["minilm", "mpnet"])
    parser.add_argument("--out", help="write the rows as JSON here")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    rows = measure(args.models, args.steps)
    context = {"threads": args.threads, "steps": args.steps, "cpus": os.cpu_count(),
               "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
               "native_bf16": bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())}
    print(json.dumps(context))
    print(table(rows))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump({"context": context, "rows": rows}, handle, indent=2)


if __name__ == "__main__":
    main()
