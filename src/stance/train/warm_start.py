"""Where training starts: `model.init_from=auto` continues from the shipped model when the labelled data is small.

A few hundred labels are too few to train an adapter and head from scratch (14 labels gave an all-neutral
model), but enough to adjust a model that already reads stance. So with `init_from=auto` (the default) a
training set of fewer than `small_data_pairs` labelled pairs (2,000 by default) continues from
`shipped_model` (models/default): its adapter and heads keep training. A larger set, a shipped model that does
not fit (another backbone, adapter shape or label set) or `init_from=null` start from the backbone alone;
`init_from=DIR` continues from DIR whatever the size. The choice and its reason are logged and written to
the model card.
"""
from __future__ import annotations

import json
from pathlib import Path

from stance.model.classifier import META_FILE

AUTO = "auto"
MUST_MATCH = ("backbone", "adapter", "lora_r", "lora_alpha", "labels")


def choose_init_from(model_cfg: dict, labelled_pairs: int, shipped_model: str, small_data_pairs: int
                     ) -> tuple[str | None, str]:
    """(model directory to continue from or None, why) for `model_cfg["init_from"]`."""
    setting = model_cfg.get("init_from")
    if setting != AUTO:
        return (setting or None), ("model.init_from is set" if setting else "model.init_from=null")
    if labelled_pairs >= small_data_pairs:
        return None, f"init_from=auto: {labelled_pairs} labelled pairs >= small_data_pairs={small_data_pairs}"
    meta = Path(shipped_model) / META_FILE
    if not meta.is_file():
        return None, f"init_from=auto: no shipped model at {shipped_model}"
    saved = json.loads(meta.read_text(encoding="utf-8"))["model_cfg"]
    different = [key for key in MUST_MATCH if saved.get(key) != model_cfg.get(key)]
    if different:
        return None, f"init_from=auto: {shipped_model} differs in {', '.join(different)}"
    return shipped_model, (f"init_from=auto: {labelled_pairs} labelled pairs < small_data_pairs={small_data_pairs}, "
                           f"so training continues from {shipped_model}")
