"""Why scoring has no int8 option: model-only speed of the shipped model in float32, bf16 and int8 through
torchao (the supported route) and through torch.ao's deprecated dynamic quantization (the route removed),
on NewsMTSC test_rw pairs, all in one process; with how many labels each int8 variant changes.

torchao is not a dependency: install it beside the environment to run this, e.g.
    pip install --no-deps --target /tmp/torchao torchao && PYTHONPATH=/tmp/torchao python scripts/measure_int8.py
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    from stance.config import compose
    from stance.data.sources import load_source
    from stance.model.classifier import load_classifier
    from stance.model.predict import predict_proba

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", default=str(REPO / "models" / "default"))
    parser.add_argument("--repeat", type=int, default=2, help="test_rw copies in one timed run")
    args = parser.parse_args()
    try:
        from torchao.quantization import (
            Int8DynamicActivationInt8WeightConfig,
            Int8WeightOnlyConfig,
            quantize_,
        )
    except ImportError:
        raise SystemExit("torchao is not installed: see this script's docstring") from None
    test_rw = Path(compose("score").paths.shared) / "data" / "newsmtsc" / "hf" / "test_rw.jsonl"
    examples = load_source({"format": "newsmtsc", "path": str(test_rw)}) * args.repeat

    def timed(loaded) -> tuple[float, np.ndarray]:
        predict_proba(loaded, examples[:128], 64)  # warm up
        best, probs = float("inf"), None
        for _ in range(2):
            started = time.perf_counter()
            probs = predict_proba(loaded, examples, 64).probs
            best = min(best, time.perf_counter() - started)
        return len(examples) / best, probs

    def variant(name: str):
        loaded = load_classifier(args.model_dir)
        if name == "bf16":
            loaded.model.to(torch.bfloat16)
        elif name == "torch.ao dynamic int8 (removed)":
            loaded.model = torch.ao.quantization.quantize_dynamic(loaded.model, {torch.nn.Linear}, dtype=torch.qint8)
        elif name == "torchao int8 dynamic activations + weights":
            quantize_(loaded.model, Int8DynamicActivationInt8WeightConfig())
        elif name == "torchao int8 weight-only":
            quantize_(loaded.model, Int8WeightOnlyConfig())
        return loaded

    reference = None
    print(f"{len(examples)} pairs (test_rw x{args.repeat}), best of 2, {torch.get_num_threads()} threads")
    for name in ("float32", "bf16", "torch.ao dynamic int8 (removed)", "torchao int8 dynamic activations + weights",
                 "torchao int8 weight-only"):
        rate, probs = timed(variant(name))
        reference = probs if reference is None else reference
        same = (probs.argmax(1) == reference.argmax(1)).mean()
        print(f"{name:<45} {rate:7.1f} pairs/s   same label as float32: {same:.1%}")


if __name__ == "__main__":
    main()
