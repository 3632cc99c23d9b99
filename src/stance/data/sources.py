"""Labelled (text, target, label) data from NewsMTSC, the gold format, or generic JSONL/CSV files.

Every reader checks every row and collects the problems, so one run reports all of them as
"file:line: problem" before any training starts.
"""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import MISSING as MISSING_FACTORY
from dataclasses import fields
from pathlib import Path
from typing import Any

from stance.config import SourceConfig
from stance.data.passing import read_passing
from stance.data.persent import read_persent
from stance.data.pstance import read_pstance
from stance.data.ruw import read_ruw
from stance.data.semeval import read_semeval
from stance.data.simple import read_simple
from stance.data.validate import read_gold_rows
from stance.textfile import jsonl_rows
from stance.types import PairExample, Span

NEWSMTSC_LABELS = {"-1": "against", "0": "neutral", "1": "favor"}
DEFAULT_LABELS = ("against", "neutral", "favor")


class DataError(ValueError):
    """Bad input data; `problems` holds one "file:line: problem" line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(dict.fromkeys(problems))  # one file read as several sets reports a problem once
        super().__init__("\n".join(problems))

    def report(self, limit: int = 50) -> None:
        """Prints the problems on stderr, the first `limit` of them and how many more there are."""
        for problem in self.problems[:limit]:
            print(problem, file=sys.stderr)
        if len(self.problems) > limit:
            print(f"... and {len(self.problems) - limit} more problems", file=sys.stderr)


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    return cfg.get(key, default) if isinstance(cfg, dict) else getattr(cfg, key, default)


def _csv_rows(path: Path, problems: list[str]) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _example(
    where: str, text: Any, spans: list[tuple[Any, Any]], raw_label: Any, label_map: dict, labels: tuple,
    problems: list[str], **extra: Any,
) -> PairExample | None:
    """One checked example, or None after recording what is wrong with the row."""
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: empty or missing text")
        return None
    label = label_map.get(str(raw_label), raw_label) if label_map else raw_label
    if label not in labels:
        problems.append(f"{where}: unknown label {raw_label!r} (expected one of {', '.join(labels)})")
        return None
    checked = []
    for start, end in spans:
        try:
            start, end = int(start), int(end)
        except (TypeError, ValueError):
            problems.append(f"{where}: span offsets must be integers, got {start!r}, {end!r}")
            return None
        if not 0 <= start < end <= len(text):
            problems.append(f"{where}: span [{start}, {end}) is outside the text (length {len(text)})")
            return None
        checked.append(Span(start, end))
    if not checked:
        problems.append(f"{where}: no target span")
        return None
    return PairExample(text=text, spans=checked, label=label, origin=where, **extra)


def _read_newsmtsc(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    label_map = dict(_get(cfg, "label_map") or NEWSMTSC_LABELS)
    examples = []
    for number, row in jsonl_rows(path, problems):
        where = f"{path}:{number}"
        missing = [key for key in ("sentence", "from", "to", "polarity") if key not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        example = _example(
            where, row["sentence"], [(row["from"], row["to"])], row["polarity"], label_map, labels, problems,
            actor=row.get("mention"), pair_id=str(row.get("id", number)),
        )
        if example:
            examples.append(example)
    return examples


def _read_gold(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    """Gold rows (GUIDELINE.md): mention offsets are document-absolute, so shift them into the claim.
    Each pair carries its claim's sentiment and its phenomena; with
    `claims_without_actors`, a claim with no actor becomes a sentiment-only example (no target, no label)."""
    rows = read_gold_rows(path, problems)  # the validator's checks: one strict gold reader everywhere
    examples = []
    for number, row in rows:
        where = f"{path}:{number}"
        missing = [key for key in ("claim_id", "start", "text", "actor", "mentions", "stance") if key not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        claim = {"sentiment": row.get("sentiment"), "phenomena": tuple(row.get("phenomena") or ())}
        pair_id = f"{row.get('doc_id', '')}:{row['claim_id']}:{row['actor']}"
        if row["actor"] is None:
            if _get(cfg, "claims_without_actors", False) and isinstance(row["text"], str) and row["text"].strip():
                examples.append(PairExample(text=row["text"], spans=[], origin=where, pair_id=pair_id, **claim))
            continue
        claim_start = int(row["start"])
        spans = [(m.get("start", -1) - claim_start, m.get("end", -1) - claim_start) for m in row["mentions"]]
        example = _example(
            where, row["text"], spans, row["stance"], dict(_get(cfg, "label_map") or {}), labels, problems,
            actor=row["actor"], pair_id=pair_id, **claim,
        )
        if example:
            examples.append(example)
    return examples


def _read_table(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    """Generic JSONL or CSV: text, label and target columns named in the source config."""
    rows = _csv_rows(path, problems) if _get(cfg, "format") == "csv" else jsonl_rows(path, problems)
    text_field, label_field = _get(cfg, "text_field", "text"), _get(cfg, "label_field", "label")
    start_field, end_field = _get(cfg, "start_field"), _get(cfg, "end_field")
    mentions_field, id_field = _get(cfg, "mentions_field", "mentions"), _get(cfg, "id_field", "id")
    actor_field = _get(cfg, "actor_field")
    examples = []
    for number, row in rows:
        where = f"{path}:{number}"
        needed = [text_field, label_field] + ([start_field, end_field] if start_field else [mentions_field])
        missing = [key for key in needed if key not in row]
        if missing:
            problems.append(f"{where}: missing column(s) {', '.join(missing)}")
            if _get(cfg, "format") == "csv":
                break  # the header lacks it: every row would say the same
            continue
        if start_field:
            spans = [(row[start_field], row[end_field])]
        else:
            mentions = row[mentions_field]
            if isinstance(mentions, str):
                try:
                    mentions = json.loads(mentions)
                except json.JSONDecodeError:
                    problems.append(f"{where}: column {mentions_field} is not a JSON list of {{start, end}}")
                    continue
            spans = [(m.get("start"), m.get("end")) for m in mentions if isinstance(m, dict)]
        example = _example(
            where, row[text_field], spans, row[label_field], dict(_get(cfg, "label_map") or {}), labels, problems,
            actor=row.get(actor_field) if actor_field else None, pair_id=str(row.get(id_field, number)),
        )
        if example:
            examples.append(example)
    return examples


READERS = {"newsmtsc": _read_newsmtsc, "gold": _read_gold, "jsonl": _read_table, "csv": _read_table,
           "persent": read_persent, "simple": read_simple, "pstance": read_pstance, "semeval": read_semeval,
           "ruw": read_ruw, "passing": read_passing}
# The source settings each format reads; the formats' own columns are fixed (NEWSMTSC_LABELS, GUIDELINE.md, the
# PerSenT CSV). A setting given for a format that does not read it is an error, not silently ignored.
_TABLE = ("text_field", "label_field", "start_field", "end_field", "mentions_field", "id_field", "actor_field")
READS = {"newsmtsc": ("label_map",), "gold": ("label_map", "claims_without_actors"),
         "persent": ("label_map", "split"), "jsonl": (*_TABLE, "label_map"), "csv": (*_TABLE, "label_map"),
         "simple": ("text_field", "label_field", "target_field", "target_separator", "id_field", "actor_field",
                    "label_map", "split"),
         **{tweets: ("label_map", "split", "targets", "unnamed", "label_set") for tweets in ("pstance", "semeval", "ruw")},
         "passing": ("split", "texts")}
COMMON = ("format", "path", "name", "weight", "group")
DIRECTORY_FORMATS = ("pstance",)  # read from a directory of files, one per split and target


def unread_settings(cfg: Any) -> list[str]:
    """The settings of a source config that its format would ignore, because they are set away from their
    defaults."""
    fmt = _get(cfg, "format")
    unread = []
    for setting in fields(SourceConfig):
        if setting.name in COMMON or setting.name in READS[fmt]:
            continue
        default = setting.default_factory() if setting.default_factory is not MISSING_FACTORY else setting.default
        if _get(cfg, setting.name, default) != default:
            unread.append(setting.name)
    return unread


def load_source(cfg: Any, labels: tuple | list = DEFAULT_LABELS) -> list[PairExample]:
    """All examples of one source; raises DataError listing every bad row (or the unreadable file)."""
    fmt, path = _get(cfg, "format"), Path(_get(cfg, "path"))
    if fmt not in READERS:
        raise DataError([f"{path}: unknown format {fmt!r} (expected one of {', '.join(READERS)})"])
    unread = unread_settings(cfg)
    if unread:
        reads = ", ".join(READS[fmt])
        message = f"{path}: format {fmt} does not read {', '.join(unread)} (it reads {reads}; the rest is fixed)"
        raise DataError([message])
    if not (path.is_dir() if fmt in DIRECTORY_FORMATS else path.is_file()):
        raise DataError([f"{path}: {'directory' if fmt in DIRECTORY_FORMATS else 'file'} not found"])
    problems: list[str] = []
    try:
        examples = READERS[fmt](path, cfg, tuple(labels), problems)
    except UnicodeDecodeError as error:
        raise DataError([f"{path}: not UTF-8 text (byte {error.start}: {error.reason})"]) from None
    if not examples and not problems:
        problems.append(f"{path}: no examples")
    if problems:
        raise DataError(problems)
    name = _get(cfg, "name") or path.stem
    for example in examples:
        example.source = name
    return examples


def load_sources(cfgs: list, labels: tuple | list = DEFAULT_LABELS) -> list[PairExample]:
    """Examples of several sources concatenated; problems of all sources reported together."""
    examples, problems = [], []
    for cfg in cfgs:
        try:
            examples.extend(load_source(cfg, labels))
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    return examples
