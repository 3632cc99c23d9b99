"""Which training format a labelled file is in, and a check of a file in any of them (`stance.data validate`).

Gold files get the full gold validator (stance.data.validate); every other format is read by the reader
training uses (`load_source`), so a file that validates is a file training accepts.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from stance.data.sources import READERS, DataError, load_source
from stance.textfile import LineProblem, jsonl_records

TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def first_columns(path: Path) -> list[str]:
    """The CSV header, or the keys of the first JSON object of a JSONL file (empty when there is none)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            return next(csv.reader(handle), [])
    with path.open("rb") as handle:
        for record in jsonl_records(handle):
            if not isinstance(record, LineProblem):
                return list(record[1])
    return []


def guess_format(path: Path, target_field: str = "target") -> str:
    """gold (doc_id, claim_id, mentions), newsmtsc (sentence, from, to, polarity), persent (DOCUMENT_INDEX),
    simple (a `target` column), csv / jsonl (offsets or mentions); a file that is none of these is read as
    simple, whose reader names the columns it lacks."""
    columns = set(first_columns(path))
    if {"claim_id", "mentions", "stance"} <= columns:
        return "gold"
    if {"sentence", "from", "to", "polarity"} <= columns:
        return "newsmtsc"
    if "DOCUMENT_INDEX" in columns:
        return "persent"
    if target_field in columns:
        return "simple"
    if {"start", "end"} <= columns or "mentions" in columns:
        return TABLE_SUFFIXES.get(path.suffix.lower(), "jsonl")
    return "simple"


@dataclass
class SourceSummary:
    """What a non-gold labelled file holds, or every problem found in it."""

    path: Path
    format: str
    problems: list[str] = field(default_factory=list)
    pairs: int = 0
    labels: Counter = field(default_factory=Counter)
    targets: Counter = field(default_factory=Counter)
    several_occurrences: int = 0  # pairs whose target was found more than once in its text


def check_source(path: str | Path, fmt: str, options: dict | None = None) -> SourceSummary:
    """Read `path` as training reads a source of format `fmt` (with `options`: text_field, label_map, ...)."""
    path = Path(path)
    summary = SourceSummary(path, fmt)
    if fmt not in READERS:
        summary.problems.append(f"{path}: unknown format {fmt!r} (expected one of {', '.join(READERS)})")
        return summary
    try:
        examples = load_source({"format": fmt, "path": str(path), **(options or {})})
    except DataError as error:
        summary.problems = error.problems
        return summary
    labelled = [e for e in examples if e.label is not None]
    summary.pairs = len(labelled)
    summary.labels.update(e.label for e in labelled)
    summary.targets.update(e.actor or e.text[e.spans[0].start:e.spans[0].end] for e in labelled if e.spans)
    summary.several_occurrences = sum(len(e.spans) > 1 for e in labelled)
    return summary


def format_source_summary(summary: SourceSummary, labels: tuple = ("against", "neutral", "favor")) -> str:
    counts = ", ".join(f"{label} {summary.labels[label]}" for label in labels)
    top = ", ".join(f"{name} {n}" for name, n in summary.targets.most_common(10))
    more = len(summary.targets) - min(10, len(summary.targets))
    return "\n".join([
        f"{summary.path}: valid ({summary.format}): {summary.pairs} labelled pairs, {len(summary.targets)} targets",
        f"  labels: {counts}",
        f"  targets: {top}" + (f", ... and {more} more" if more > 0 else ""),
        f"  pairs whose target occurs more than once in the text (all marked): {summary.several_occurrences}",
    ])
