"""RUW: tweets about the Russia-Ukraine war, each labelled with the author's stance toward Russia AND
toward Ukraine (`Tweet, Target 1, Stance 1, Target 2, Stance 2`): two pairs per tweet.

The copy in ../shared has train.csv and val.csv only (its test split is held back). `split: train | dev`
divides train.csv by a hash of the tweet (15% dev); val.csv is read whole as the test part, leaving out
(and counting) tweets that are also in train.csv.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from stance.data.tweets import TweetRow, read_test_or_split

COLUMNS = ("Tweet", "Target 1", "Stance 1", "Target 2", "Stance 2")
TRAINING_FILES = ("train.csv",)


def read_rows(path: Path, problems: list[str]) -> list[TweetRow]:
    """Two rows per line of the file, one per target."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path}:1: missing column(s) {', '.join(missing)}")
            return []
        return [TweetRow(f"{path}:{number}", row["Tweet"] or "", row[f"Target {i}"] or "", row[f"Stance {i}"] or "",
                         f"ruw:{path.stem}:{number}:{i}")
                for number, row in enumerate(reader, start=2) for i in (1, 2)]


def read_ruw(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list:
    return read_test_or_split(path, cfg, labels, problems, read_rows, TRAINING_FILES,
                              "RUW split {split!r}: use train or dev (of train.csv), or none for val.csv")
