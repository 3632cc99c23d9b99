"""What the Trainer reads: pairs encoded once with `encode_pair` (the encoding scoring uses), and the training
mix drawn afresh from them every epoch."""
from __future__ import annotations

import random

import torch
from transformers import TrainerCallback

from stance.data.mixing import draw_epoch
from stance.model.classifier import LoadedModel
from stance.model.predict import encode_examples, features
from stance.train.distill import pair_key
from stance.types import PairExample


def encode_items(loaded: LoadedModel, examples: list[PairExample], teacher: dict | None = None
                 ) -> tuple[list[dict], int]:
    """Features with stance and sentiment label ids (-100 where a source does not label one) and the label
    mask of each pair's source, and with a `teacher` (stance.train.distill) its probabilities (NaN for a pair
    it did not score); and how many pairs were windowed."""
    label_ids = {label: i for i, label in enumerate(loaded.labels)}
    sentiment_ids = {label: i for i, label in enumerate(loaded.sentiment_labels)}
    encoded = encode_examples(loaded.tokenizer, loaded.model_cfg, examples)
    items = [features(e, label_ids.get(ex.label), sentiment_ids.get(ex.sentiment, -100),
                      [int(not ex.label_set or label in ex.label_set) for label in loaded.labels])
             for e, ex in zip(encoded, examples)]
    if teacher is not None:
        unscored = [float("nan")] * len(loaded.labels)
        for item, example in zip(items, examples):
            probs = teacher.get(pair_key(example))
            item["teacher_probs"] = unscored if probs is None else [float(p) for p in probs]
    return items, sum(e.windowed for e in encoded)


class EncodedDataset(torch.utils.data.Dataset):
    """A fixed list of encoded pairs (the dev sets)."""

    def __init__(self, loaded: LoadedModel, examples: list[PairExample]):
        self.items, self.windowed = encode_items(loaded, examples)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        return self.items[index]


class EpochMix(torch.utils.data.Dataset):
    """The training mix: every source encoded once (with the teacher's probabilities, when distilling);
    `set_epoch(k)` draws epoch k's examples (data.mixing), at most `limit` of them (a seeded sample). Every
    epoch has the same length."""

    def __init__(self, loaded: LoadedModel, sources: list[tuple[list[PairExample], float]], seed: int,
                 limit: int | None = None, teacher: dict | None = None):
        encoded = [encode_items(loaded, examples, teacher) for examples, _ in sources]
        self.items = [items for items, _ in encoded]
        self.windowed = sum(windowed for _, windowed in encoded)
        self.sizes_and_weights = [(len(examples), weight) for examples, weight in sources]
        self.seed, self.limit = seed, limit
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        draw = draw_epoch(self.sizes_and_weights, self.seed, epoch)
        if self.limit is not None and self.limit < len(draw):
            draw = random.Random(self.seed + epoch).sample(draw, self.limit)
        self.epoch, self.draw = epoch, draw

    def __len__(self) -> int:
        return len(self.draw)

    def __getitem__(self, index: int) -> dict:
        source, example = self.draw[index]
        return self.items[source][example]


class RedrawEachEpoch(TrainerCallback):
    """Draws the mix of each epoch before the Trainer reads it."""

    def __init__(self, mix: EpochMix):
        self.mix = mix

    def on_epoch_begin(self, args, state, control, **kwargs):
        self.mix.set_epoch(round(state.epoch or 0))
