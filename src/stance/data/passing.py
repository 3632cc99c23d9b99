"""The politicians-named-in-passing set (data/passing/, its README): real tweets of P-Stance and SemEval-2016
labelled for the author's stance toward a second politician they name. The repository holds pointers
(file, line, a digest of the tweet), the mentions' spans and the labels; the tweets are read in place from
`texts` (`${paths.shared}/data`), and a tweet whose digest no longer matches is a problem, not a silent
misalignment. `split` picks train / dev / test (split by tweet when the set was built).
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from stance.data import pstance, semeval
from stance.data.tweets import setting
from stance.textfile import jsonl_rows
from stance.types import PairExample, Span

SPLITS = ("train", "dev", "test")


@cache
def tweet_lines(path: Path) -> dict[int, str]:
    """The tweets of a P-Stance CSV or a SemEval TSV by the line their row starts on, as those sets' own
    readers number them (header: line 1)."""
    read_rows = semeval.read_rows if path.suffix == ".tsv" else pstance.read_rows
    return {int(row.where.rsplit(":", 1)[1]): row.text for row in read_rows(path, [])}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_passing(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    split, texts = setting(cfg, "split"), setting(cfg, "texts")
    if split not in (None, *SPLITS):
        problems.append(f"{path}: passing split {split!r} is not one of {', '.join(SPLITS)}")
        return []
    if not texts:
        problems.append(f"{path}: the passing set needs `texts` (the folder of the tweet sets: ${{paths.shared}}/data)")
        return []
    examples = []
    for number, row in jsonl_rows(path, problems):
        if split and row.get("split") != split:
            continue
        where, source = f"{path}:{number}", Path(texts) / row["file"]
        if not source.is_file():
            problems.append(f"{where}: {source}: file not found (the tweets are read from ../shared)")
            return []
        text = tweet_lines(source).get(row["line"])
        if text is None or digest(text) != row["digest"]:
            problems.append(f"{where}: {source}:{row['line']} is not the tweet this pair was labelled on")
            continue
        if row["stance"] not in labels:
            problems.append(f"{where}: unknown label {row['stance']!r} (expected one of {', '.join(labels)})")
            continue
        examples.append(PairExample(text=text, spans=[Span(start, end) for start, end in row["mentions"]],
                                    label=row["stance"], actor=row["actor"], pair_id=row["id"], origin=where))
    return examples
