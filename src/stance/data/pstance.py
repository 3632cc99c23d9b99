"""P-Stance (Li et al., Findings of ACL 2021): tweets labelled with the author's stance toward Donald Trump,
Joe Biden or Bernie Sanders, FAVOR / AGAINST only (no neutral class: see `label_set`).

The source's `path` is the directory of `{split}_{target}.csv` files (`train`, `val`, `test`); `split`
picks one (default train) and `targets` some of the targets (default all three). A tweet of val that is in
train, or of test that is in train or val, is left out of the later split and counted.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from stance.data.tweets import TweetPairs, TweetRow, setting, text_key

SPLITS = ("train", "val", "test")
FILE_TARGETS = {"trump": "Donald Trump", "biden": "Joe Biden", "bernie": "Bernie Sanders"}


def split_files(directory: Path, split: str, targets: list[str]) -> list[Path]:
    return [directory / f"{split}_{short}.csv" for short, target in FILE_TARGETS.items()
            if not targets or target in targets]


def read_rows(path: Path, problems: list[str]) -> list[TweetRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in ("Tweet", "Target", "Stance") if column not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path}:1: missing column(s) {', '.join(missing)}")
            return []
        return [TweetRow(f"{path}:{number}", row["Tweet"] or "", row["Target"], row["Stance"] or "",
                         f"pstance:{path.stem}:{number}")
                for number, row in enumerate(reader, start=2)]


def read_pstance(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list:
    split, targets = setting(cfg, "split") or "train", list(setting(cfg, "targets") or [])
    if split not in SPLITS:
        problems.append(f"{path}: P-Stance split {split!r} is not one of {', '.join(SPLITS)}")
        return []
    unknown = [t for t in targets if t not in FILE_TARGETS.values()]
    if unknown:
        problems.append(f"{path}: P-Stance has no target {', '.join(unknown)} (it has {', '.join(FILE_TARGETS.values())})")
        return []
    earlier = {text_key(row.text) for before in SPLITS[: SPLITS.index(split)]
               for file in split_files(path, before, []) if file.is_file() for row in read_rows(file, [])}
    pairs = TweetPairs(cfg, labels, problems, earlier)
    examples = []
    for file in split_files(path, split, targets):
        if not file.is_file():
            problems.append(f"{file}: file not found")
            continue
        examples += pairs.pairs(read_rows(file, problems))
    pairs.log(f"{path} ({split})", len(examples))
    return examples
