"""Labelled pairs as an analyst keeps them: one row per (text, target, label), CSV or JSONL (`format: simple`).

The target is a string, not offsets: every occurrence of it in the text is marked (whole words, any case,
a possessive "'s" left outside), and `target` may list other names of the same actor after `|`
("Lula|Brazilian president"). A target found nowhere in its text is a "file:line" problem, never skipped.
Labels are mapped onto against / neutral / favor by `label_map` on top of the usual spellings
(-1/0/1, neg/neu/pos, negative/neutral/positive, against/favor/favour; any case). `split` keeps only the
rows of one part (train / dev / test: 80 / 10 / 10, by a hash of the text, so every pair of one text
lands in the same part), which lets one file serve as training, dev and test set.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stance.data.splits import hash_split
from stance.textfile import jsonl_rows
from stance.types import PairExample, Span

COMMON_LABELS = {
    "-1": "against", "0": "neutral", "1": "favor", "+1": "favor",
    "neg": "against", "neu": "neutral", "pos": "favor",
    "negative": "against", "neutral": "neutral", "positive": "favor",
    "against": "against", "favor": "favor", "favour": "favor", "for": "favor",
}
SPLITS = (("train", 80), ("dev", 90), ("test", 100))
LEADING_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    value = cfg.get(key, default) if isinstance(cfg, dict) else getattr(cfg, key, default)
    return default if value is None else value


def simple_split(text: str) -> str:
    """train / dev / test (80 / 10 / 10) by a hash of the text with its whitespace and case normalised."""
    return hash_split(" ".join(text.split()).casefold(), SPLITS)


def target_names(target: str, separator: str = "|") -> list[str]:
    """The alternatives of a target cell, each without a leading "the" and a trailing possessive."""
    names = []
    for name in target.split(separator) if separator else [target]:
        name = POSSESSIVE.sub("", name.strip()).strip()
        without_article = LEADING_ARTICLE.sub("", name)
        name = without_article or name
        if name and name not in names:
            names.append(name)
    return names


def locate_target(text: str, names: list[str]) -> list[Span]:
    """Every whole-word occurrence of any of `names` in `text`, any case, longest first where two overlap."""
    if not names:
        return []
    alternatives = sorted(names, key=len, reverse=True)
    pattern = "|".join(r"\s+".join(map(re.escape, name.split())) for name in alternatives)
    return [Span(hit.start(), hit.end())
            for hit in re.finditer(r"(?<!\w)(?:" + pattern + r")(?!\w)", text, re.IGNORECASE)]


def map_label(raw: Any, label_map: dict) -> str:
    """`label_map` first (as written, then lower case), then the common spellings; unknown labels stay as given."""
    key = str(raw).strip()
    for candidate in (key, key.lower()):
        if candidate in label_map:
            return label_map[candidate]
    return COMMON_LABELS.get(key.lower(), key)


def _rows(path: Path, fields: list[str], problems: list[str]) -> Iterator[tuple[int, dict]]:
    """(line, row) of a CSV (by its header) or JSONL file; a column missing from the header (or the first JSONL
    row) is one problem for the whole file, naming the columns the file has."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if _missing(path, 1, fields, header, problems):
                return
            for number, row in enumerate(reader, start=2):
                if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                    yield number, row
        return
    first = True
    for number, row in jsonl_rows(path, problems):
        if first and _missing(path, number, fields, list(row), problems):
            return
        first = False
        yield number, row


def _missing(path: Path, line: int, fields: list[str], columns: list[str], problems: list[str]) -> bool:
    missing = [field for field in fields if field not in columns]
    if missing:
        problems.append(f"{path}:{line}: no column {', '.join(map(repr, missing))} (the file has "
                        f"{', '.join(map(repr, columns)) or 'none'}); set text_field / target_field / label_field to "
                        "your column names")
    return bool(missing)


def read_simple(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    """One pair per usable row of a `format: simple` source (of its `split`, when one is set)."""
    text_field, target_field = _get(cfg, "text_field", "text"), _get(cfg, "target_field", "target")
    label_field, id_field = _get(cfg, "label_field", "label"), _get(cfg, "id_field")
    actor_field, separator = _get(cfg, "actor_field"), _get(cfg, "target_separator", "|")
    label_map, split = dict(_get(cfg, "label_map", {})), _get(cfg, "split")
    if split and split not in dict(SPLITS):
        problems.append(f"{path}: split {split!r} is not one of {', '.join(dict(SPLITS))} (or null: every row)")
        return []
    examples, rows = [], 0
    for number, row in _rows(path, [text_field, target_field, label_field], problems):
        where = f"{path}:{number}"
        text, target = row.get(text_field), row.get(target_field)
        rows += 1
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty or missing text in column {text_field!r}")
            continue
        if split and simple_split(text) != split:
            continue
        label = map_label(row.get(label_field), label_map)
        if label not in labels:
            problems.append(f"{where}: unknown label {row.get(label_field)!r} (expected one of {', '.join(labels)}, "
                            "-1/0/1, neg/neu/pos, negative/neutral/positive, or a label_map entry)")
            continue
        names = target_names(target, separator) if isinstance(target, str) else []
        if not names:
            problems.append(f"{where}: empty or missing target in column {target_field!r}")
            continue
        spans = locate_target(text, names)
        if not spans:
            problems.append(f"{where}: target {target!r} not found in the text {text[:60]!r}")
            continue
        actor = row.get(actor_field) if actor_field else None
        pair_id = row.get(id_field) if id_field else None
        examples.append(PairExample(text=text, spans=spans, label=label, actor=str(actor or names[0]),
                                    pair_id=str(pair_id if pair_id not in (None, "") else number), origin=where))
    if split and rows and not examples and not problems:
        problems.append(f"{path}: none of its {rows} rows falls in the {split} part (80 / 10 / 10 by a hash of the "
                        f"text); give the {split} set a file of its own (path=FILE, split=null)")
    return examples
