"""Batched inference over (text, target) pairs: length-sorted, dynamically padded, no gradients."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from stance.model.encoding import EncodedPair, collate, encode_pair
from stance.model.classifier import LoadedModel
from stance.types import PairExample


@dataclass
class Prediction:
    probs: np.ndarray  # [n_examples, n_labels], columns in LoadedModel.labels order
    windowed: list[bool]  # the example's text was cut to a window around the target


def encode_examples(tokenizer, model_cfg: dict, examples: list[PairExample]) -> list[EncodedPair]:
    """Every pair through `encode_pair` with the model's encoding settings."""
    return [
        encode_pair(
            tokenizer, ex.text, ex.spans, model_cfg["max_length"], model_cfg["encoding"],
            model_cfg["marker_open"], model_cfg["marker_close"],
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


def sorted_batches(encoded: list[EncodedPair], batch_size: int, pad_id: int) -> Iterator[tuple[list[int], dict]]:
    """(row indices, padded batch) over the encoded pairs, shortest first so each batch pads little."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        yield indices, collate([features(encoded[i]) for i in indices], pad_id)


def predict_proba(
    loaded: LoadedModel, examples: list[PairExample], batch_size: int = 64, progress: bool = False,
    threads: Callable[[], int] | None = None,
) -> Prediction:
    """Class probabilities of every pair. `threads`, when given, is asked before each batch how many torch
    threads to use; torch counts them per calling thread, so they are set on the thread that computes."""
    encoded = encode_examples(loaded.tokenizer, loaded.model_cfg, examples)
    probs = np.zeros((len(examples), len(loaded.labels)), dtype=np.float32)
    batches = sorted_batches(encoded, batch_size, loaded.tokenizer.pad_token_id or 0)
    model = loaded.model
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for indices, batch in tqdm(batches, desc="scoring", unit="batch", total=-(-len(encoded) // batch_size),
                                   disable=not progress):
            if threads is not None:
                torch.set_num_threads(threads())
            batch = {key: value.to(next(model.parameters()).device) for key, value in batch.items()}
            logits = model(**batch)["logits"]
            probs[indices] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    model.train(was_training)
    return Prediction(probs=probs, windowed=[e.windowed for e in encoded])
