"""SemEval-2016 Task 6 (Mohammad et al.): tweets with the author's stance toward a target, FAVOR / AGAINST /
NONE, tab-separated (`ID, Target, Tweet, Stance, Opinion towards, Sentiment`).

Only the political actors among its targets are read (Hillary Clinton; Donald Trump in test_b); rows on the
topics (atheism, abortion, ...) are counted as not used. The task has no dev part: `split: train | dev`
divides train.tsv by a hash of the tweet (15% dev); a test file's tweets that are also in train.tsv or
trial.tsv are left out and counted.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from stance.data.tweets import TweetRow, read_test_or_split

COLUMNS = ("ID", "Target", "Tweet", "Stance")
TRAINING_FILES = ("train.tsv", "trial.tsv")


def read_rows(path: Path, problems: list[str]) -> list[TweetRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path}:1: missing column(s) {', '.join(missing)}")
            return []
        return [TweetRow(f"{path}:{number}", row["Tweet"] or "", row["Target"], row["Stance"] or "",
                         f"semeval:{row['ID']}") for number, row in enumerate(reader, start=2)]


def read_semeval(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list:
    return read_test_or_split(path, cfg, labels, problems, read_rows, TRAINING_FILES,
                              "SemEval split {split!r}: use train or dev (of train.tsv), or none for a test file")
