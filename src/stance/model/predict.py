"""Batched inference over (text, target) pairs: length-sorted, dynamically padded, no gradients."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from stance.model.classifier import LoadedModel
from stance.model.encoding import EncodedPair, collate, encode_pair
from stance.types import PairExample


@dataclass
class Prediction:
    probs: np.ndarray  # [n_examples, n_labels], columns in LoadedModel.labels order (calibrated, if saved so)
    windowed: list[bool]  # the example's text was cut to a window around the target
    sentiment_probs: np.ndarray | None = None  # [n_examples, n_sentiments]; None without a sentiment head
    logits: np.ndarray | None = None  # raw stance logits (what calibration is fitted on)


def encode_examples(tokenizer, model_cfg: dict, examples: list[PairExample]) -> list[EncodedPair]:
    """Every pair through `encode_pair` with the model's encoding settings."""
    return [encode_pair(tokenizer, ex.text, ex.spans, model_cfg["max_length"], model_cfg["marker_open"],
                        model_cfg["marker_close"]) for ex in examples]


def features(encoded: EncodedPair, label_id: int | None = None, sentiment_id: int | None = None,
             label_mask: list[int] | None = None) -> dict:
    """Model input of one pair; for training, its label ids (-100: not labelled) and, for a source that gives
    fewer labels than the model has, which labels the loss compares (`label_mask`, 1 = compared)."""
    item = {
        "input_ids": encoded.input_ids,
        "token_type_ids": encoded.token_type_ids,
        "marker_index": encoded.marker_index,
    }
    if label_id is not None or sentiment_id is not None:
        item["labels"] = -100 if label_id is None else label_id
        item["sentiment_labels"] = -100 if sentiment_id is None else sentiment_id
    if label_mask is not None:
        item["label_mask"] = label_mask
    return item


def calibrated_probs(logits: np.ndarray, calibration: dict | None) -> np.ndarray:
    """softmax(logits / T + bias) with the model's saved calibration, plain softmax without one."""
    logits = np.asarray(logits, dtype=np.float64)
    if calibration:
        logits = logits / calibration.get("temperature", 1.0) + np.asarray(calibration.get("bias") or 0.0)
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


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
    logits_out = np.zeros((len(examples), len(loaded.labels)), dtype=np.float32)
    sentiment = np.zeros((len(examples), len(loaded.sentiment_labels)), dtype=np.float32)
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
            out = model(**batch)
            logits_out[indices] = out["logits"].float().cpu().numpy()
            if "sentiment_logits" in out and loaded.sentiment_labels:
                sentiment[indices] = torch.softmax(out["sentiment_logits"].float(), dim=-1).cpu().numpy()
    model.train(was_training)
    return Prediction(
        probs=calibrated_probs(logits_out, loaded.calibration), windowed=[e.windowed for e in encoded],
        sentiment_probs=sentiment if loaded.sentiment_labels else None, logits=logits_out,
    )


def claim_sentiment(examples: list[PairExample], probs: np.ndarray) -> tuple[list[str], np.ndarray]:
    """One row per labelled claim: its gold sentiment and the mean of its pairs' sentiment probabilities
    (the claim of a pair: the first two parts of its pair_id, `doc:claim`)."""
    rows: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        if example.sentiment:
            rows.setdefault(":".join(example.pair_id.split(":")[:2]), []).append(i)
    gold = [examples[indices[0]].sentiment for indices in rows.values()]
    return gold, np.array([probs[indices].mean(axis=0) for indices in rows.values()])
