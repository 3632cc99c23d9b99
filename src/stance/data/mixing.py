"""The training mix: several sources, each sampled at its own rate (`weight`), drawn afresh every epoch.

A source of n examples at weight w gives round(w * n) examples an epoch: every example int(w) times, and a
seeded sample for the fraction, a different sample each epoch, so over the epochs a source at 0.3 is seen
whole rather than the same 30% again and again. The draw depends on (seed, epoch, source) only.
"""
from __future__ import annotations

import random
from collections import Counter

from stance.types import PairExample


def epoch_seed(seed: int, epoch: int, source_index: int) -> int:
    return seed + 1_000 * epoch + source_index


def sample_indices(size: int, weight: float, seed: int) -> list[int]:
    """round(weight * size) indices of range(size): each int(weight) times, plus a seeded sample."""
    if weight < 0:
        raise ValueError(f"a source weight must be >= 0, got {weight}")
    whole, fraction = divmod(weight, 1.0)
    chosen = list(range(size)) * int(whole)
    extra = round(fraction * size)
    return chosen + (random.Random(seed).sample(range(size), extra) if extra else [])


def draw_epoch(sizes_and_weights: list[tuple[int, float]], seed: int, epoch: int) -> list[tuple[int, int]]:
    """(source index, example index) for every example of one epoch's mix; the Trainer shuffles them."""
    return [(source, index) for source, (size, weight) in enumerate(sizes_and_weights)
            for index in sample_indices(size, weight, epoch_seed(seed, epoch, source))]


def mix_sources(sources: list[tuple[list[PairExample], float]], seed: int, epoch: int = 0) -> list[PairExample]:
    """The examples of one epoch's mix, in one list."""
    draw = draw_epoch([(len(examples), weight) for examples, weight in sources], seed, epoch)
    return [sources[source][0][index] for source, index in draw]


def expected_label_counts(sources: list[tuple[list[PairExample], float]]) -> Counter:
    """Stance labels an epoch draws on average (weight x each source's counts), for class weights."""
    counts: Counter = Counter()
    for examples, weight in sources:
        for label, n in Counter(e.label for e in examples if e.label is not None).items():
            counts[label] += weight * n
    return counts
