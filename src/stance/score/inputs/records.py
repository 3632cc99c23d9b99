"""What every reader of the input shares: the `Document` it yields, the `InputProblem` in a bad record's place, the
`InputSpec` it reads by, and the checks of one record of a table input (JSONL, CSV, Parquet: id, text, date,
named columns), so that every format reports a bad record alike."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from stance.score.dates import parse_date
from stance.score.fields import missing_columns
from stance.types import ClaimActors


@dataclass
class Document:
    """One unit of scoring; `given` holds the claim and mentions of a given pair (no splitting, no detection)."""

    doc_id: str
    text: str
    origin: str  # file:line, for messages
    given: list[ClaimActors] | None = None
    date: str | None = None  # YYYY-MM-DD from `date_field` (stance.score.dates), None when undated
    fields: dict | None = None  # `keep_fields` of the input row (stance.score.fields), copied to its output rows

    def digest(self) -> str:
        """A fingerprint of the text (given mentions, date, kept fields), so a resumed run notices a document
        that changed."""
        dated = f"\0{self.date}" if self.date else ""  # undated documents keep the digests of earlier runs
        kept = f"\0{sorted(self.fields.items())!r}" if self.fields else ""
        given = _given_text(self.given)
        return hashlib.sha1(f"{self.text}\0{given}{dated}{kept}".encode("utf-8", "surrogatepass")).hexdigest()


def _given_text(given: list[ClaimActors] | None) -> str:
    """Given claims as the digest reads them: the form they had while a claim carried a context (None for all
    since), so that runs begun then resume."""
    if given is None:
        return "None"
    return "[" + ", ".join(f"ClaimActors(claim={c.claim!r}, mentions={c.mentions!r}, context=None)"
                           for c in given) + "]"


@dataclass
class InputProblem:
    file: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "problem": self.problem}


@dataclass
class InputSpec:
    path: str
    format: str = "auto"
    glob: str = "**/*.txt"
    id_field: str | None = None  # None: `id` where the row has it, else <file stem>:<line>
    text_field: str = "text"
    limit: int | None = None  # the first N records only (documents and bad records alike)
    date_field: str | None = None  # jsonl / csv / pairs: each document's date (`record_date`)
    keep_fields: tuple[str, ...] = ()  # jsonl / csv / pairs: columns carried to the outputs (stance.score.fields)


def record_id(name: str, line: int, row: dict, id_field: str | None) -> str:
    """The row's id, or "<file stem>:<line>" when the row has none."""
    value = row.get(id_field or "id")
    if value is None or str(value).strip() == "":
        return f"{'stdin' if name == '<stdin>' else Path(name).stem}:{line}"
    return str(value)


def record_text(name: str, line: int, row: dict, text_field: str) -> str | InputProblem:
    if text_field not in row:
        return InputProblem(name, line, f"no {text_field!r} field")
    text = row[text_field]
    if not isinstance(text, str):
        return InputProblem(name, line, f"{text_field!r} is not a string")
    if not text.strip():
        return InputProblem(name, line, "empty text")
    return text


def record_date(name: str, line: int, row: dict, date_field: str | None) -> str | InputProblem | None:
    """The row's date as YYYY-MM-DD (`stance.score.dates.parse_date`); None without a date_field or when the
    row leaves it out or empty (counted as undated at the end of the run)."""
    if date_field is None:
        return None
    value = row.get(date_field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        return InputProblem(name, line, f"{date_field!r}: {error}")


def header_problem(columns: list[str], spec: InputSpec) -> str | None:
    """The problem line of a table input (CSV, Parquet) that lacks a named column, or None."""
    if missing := missing_columns(columns, spec.text_field, spec.id_field, spec.keep_fields):
        return missing
    if spec.date_field is not None and spec.date_field not in columns:
        return f"no date column {spec.date_field!r} (columns: {', '.join(columns)})"
    return None
