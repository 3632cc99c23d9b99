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

from stance.data.tweets import TweetPairs, TweetRow, hash_split, setting, text_key

DEV_PERCENT = 15
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
    split, targets = setting(cfg, "split"), list(setting(cfg, "targets") or [])
    rows = read_rows(path, problems)
    if split in ("train", "dev"):
        rows = [row for row in rows if hash_split(row.text, DEV_PERCENT) == split]
    elif split:
        problems.append(f"{path}: SemEval split {split!r}: use train or dev (of train.tsv), or none for a test file")
        return []
    if targets:
        rows = [row for row in rows if row.target in targets]
    earlier = set()
    if path.name not in TRAINING_FILES:
        earlier = {text_key(row.text) for name in TRAINING_FILES if (path.parent / name).is_file()
                   for row in read_rows(path.parent / name, [])}
    pairs = TweetPairs(cfg, labels, problems, earlier)
    examples = pairs.pairs(rows)
    pairs.log(f"{path}{f' ({split})' if split else ''}", len(examples))
    return examples
