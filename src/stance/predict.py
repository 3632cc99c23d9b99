"""Batched inference over (text, target) pairs: length-sorted, dynamically padded, no gradients."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from stance.encoding import EncodedPair, collate, encode_pair
from stance.model import LoadedModel
from stance.types import PairExample


@dataclass
class Prediction:
    probs: np.ndarray  # [n_examples, n_labels], columns in LoadedModel.labels order
    windowed: list[bool]  # the example's text was cut to a window around the target


def encode_examples(loaded: LoadedModel, examples: list[PairExample]) -> list[EncodedPair]:
    cfg = loaded.model_cfg
    return [
        encode_pair(
            loaded.tokenizer, ex.text, ex.spans, cfg["max_length"], cfg["encoding"],
            cfg["marker_open"], cfg["marker_close"],
        )
        for ex in examples
    ]


def features(encoded: EncodedPair, label_id: int | None = None) -> dict:
    item = {
        "input_ids": encoded.input_ids,
        "token_type_ids": encoded.token_type_ids,
        "marker_index": encoded.marker_index,
    }
    if label_id is not None:
        item["labels"] = label_id
    return item


def predict_proba(
    loaded: LoadedModel, examples: list[PairExample], batch_size: int = 64, progress: bool = False
) -> Prediction:
    encoded = encode_examples(loaded, examples)
    probs = np.zeros((len(examples), len(loaded.labels)), dtype=np.float32)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
    pad_id = loaded.tokenizer.pad_token_id or 0
    model = loaded.model
    was_training = model.training
    model.eval()
    batches = range(0, len(order), batch_size)
    with torch.inference_mode():
        for start in tqdm(batches, desc="scoring", unit="batch", disable=not progress):
            indices = order[start : start + batch_size]
            batch = collate([features(encoded[i]) for i in indices], pad_id)
            batch = {key: value.to(next(model.parameters()).device) for key, value in batch.items()}
            logits = model(**batch)["logits"]
            probs[indices] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    model.train(was_training)
    return Prediction(probs=probs, windowed=[e.windowed for e in encoded])
