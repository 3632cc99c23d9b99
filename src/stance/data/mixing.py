"""The training mix: several sources, each sampled at its own rate (`weight`) with a fixed seed."""
from __future__ import annotations

import random

from stance.types import PairExample


def sample_source(examples: list[PairExample], weight: float, seed: int) -> list[PairExample]:
    """round(weight * n) of a source's n examples: a seeded sample below 1, every example (some twice) above."""
    if weight < 0:
        raise ValueError(f"a source weight must be >= 0, got {weight}")
    whole, fraction = divmod(weight, 1.0)
    chosen = list(examples) * int(whole)
    extra = round(fraction * len(examples))
    chosen += random.Random(seed).sample(examples, extra) if extra else []
    return chosen


def mix_sources(sources: list[tuple[list[PairExample], float]], seed: int) -> list[PairExample]:
    """Every source at its weight, in one list (the Trainer shuffles it)."""
    mixed: list[PairExample] = []
    for index, (examples, weight) in enumerate(sources):
        mixed.extend(sample_source(examples, weight, seed + index))
    return mixed
