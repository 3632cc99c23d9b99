"""Pairs per part of the tweet sets as the readers give them (docs/data.md), labels, and what was not used.

    python scripts/figures/count_tweet_sets.py [train overrides]

Reads the default mix's tweet sources (train, dev and test parts) through `load_source`, so the counts are
the ones training and evaluation see (before the cross-set check in training, which logs its own).
"""
from __future__ import annotations

import logging
import sys
from collections import Counter

from omegaconf import OmegaConf

from stance.config import compose
from stance.data.sources import load_source
from stance.data.tweets import TWEET_FORMATS


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="  %(message)s")
    cfg = compose("train", argv)
    labels = tuple(OmegaConf.to_container(cfg.model, resolve=True)["labels"])
    print("| part | set | pairs | against | neutral | favor |\n|---|---|---|---|---|---|")
    for part in ("train", "dev", "test"):
        for source in cfg.data[part]:
            if source.format not in TWEET_FORMATS:
                continue
            counts = Counter(e.label for e in load_source(source, labels))
            print(f"| {part} | {source.name} | {sum(counts.values())} | {counts['against']} | {counts['neutral']} | "
                  f"{counts['favor']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
