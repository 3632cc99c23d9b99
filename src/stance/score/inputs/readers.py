"""Documents to score, read from a .txt file, a directory of them, JSONL, CSV, stdin, or given pairs.

Readers yield `Document`s and `InputProblem`s in input order, so one bad record is reported as
"file:line: problem" while every good record is still scored. Line 0 means the file as a whole.
JSONL, CSV and stdin are read as streams, a record at a time, so `limit` (the first N records) costs
the memory of N records whatever the size of the file. Ids must be unique in every format: results
are kept and resumed by id.
"""
from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from stance.score.dates import parse_date
from stance.score.fields import kept, missing_columns
from stance.textfile import LineProblem, decode_text, jsonl_records
from stance.types import Claim, ClaimActors, Mention

FORMATS = ("txt", "dir", "jsonl", "csv", "pairs", "parquet")
STDIN = "-"


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
    date_field: str | None = None  # jsonl / csv / pairs: each document's date (`_record_date`)
    keep_fields: tuple[str, ...] = ()  # jsonl / csv / pairs: columns carried to the outputs (stance.score.fields)


def resolve_format(path: str, input_format: str) -> str:
    """auto: stdin and other files are txt, a directory is dir, .jsonl/.ndjson is jsonl, .csv is csv,
    .parquet/.pq is parquet."""
    if input_format != "auto":
        if input_format not in FORMATS:
            raise ValueError(f"unknown input_format {input_format!r}; expected auto or one of {', '.join(FORMATS)}")
        return input_format
    if path == STDIN:
        return "txt"
    if Path(path).is_dir():
        return "dir"
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet",
            ".pq": "parquet"}.get(Path(path).suffix.lower(), "txt")


def read_inputs(spec: InputSpec) -> Iterator[Document | InputProblem]:
    """Every document of the input (the first `spec.limit` records), with a problem in its place wherever
    a record cannot be used."""
    if spec.limit is not None and spec.limit < 1:
        raise ValueError(f"limit must be a positive number of records, got {spec.limit}")
    records = _read_records(spec)
    try:
        yield from records if spec.limit is None else islice(records, spec.limit)
    finally:
        records.close()  # closes the file when the limit stops reading early


def _read_records(spec: InputSpec) -> Iterator[Document | InputProblem]:
    fmt = resolve_format(spec.path, spec.format)
    name = "<stdin>" if spec.path == STDIN else spec.path
    if spec.path != STDIN and not Path(spec.path).exists():
        yield InputProblem(name, 0, "no such file or directory")
        return
    if fmt == "dir":
        yield from _unique_ids(_read_dir(spec))
        return
    if spec.path != STDIN and Path(spec.path).is_dir():
        yield InputProblem(name, 0, f"is a directory (input_format={fmt} needs a file)")
        return
    if fmt == "parquet":  # read by pyarrow from the path: a Parquet file is not a stream
        from stance.score.inputs.parquet import read_parquet

        yield from _unique_ids(read_parquet(name, spec) if spec.path != STDIN else
                               iter([InputProblem(name, 0, "Parquet cannot be read from stdin; give its path")]))
        return
    with ExitStack() as stack:
        stream: BinaryIO = sys.stdin.buffer if spec.path == STDIN else stack.enter_context(open(spec.path, "rb"))
        if fmt == "txt":
            stem = "stdin" if spec.path == STDIN else Path(spec.path).stem
            yield _text_document(name, stem, stream.read())
        elif fmt == "csv":
            yield from _unique_ids(_read_csv(name, stream, spec))
        else:
            yield from _unique_ids(_read_jsonl(name, stream, spec, given_pairs=fmt == "pairs"))


def _decode(name: str, data: bytes) -> str | InputProblem:
    text = decode_text(data)
    return InputProblem(name, text.line, text.message) if isinstance(text, LineProblem) else text


def _text_document(name: str, doc_id: str, data: bytes) -> Document | InputProblem:
    if not data:
        return InputProblem(name, 1, "empty file")
    text = _decode(name, data)
    if isinstance(text, InputProblem):
        return text
    if not text.strip():
        return InputProblem(name, 1, "empty text (whitespace only)")
    return Document(doc_id, text, f"{name}:1")


def _read_dir(spec: InputSpec) -> Iterator[Document | InputProblem]:
    root = Path(spec.path)
    files = sorted(p for p in root.glob(spec.glob) if p.is_file())
    if not files:
        yield InputProblem(spec.path, 0, f"no files match {spec.glob!r}")
    for path in files:
        doc_id = path.relative_to(root).with_suffix("").as_posix()
        yield _text_document(str(path), doc_id, path.read_bytes())


def _unique_ids(items: Iterator[Document | InputProblem]) -> Iterator[Document | InputProblem]:
    """Ids key the results (and resuming), so a repeated id is a problem, not a second document."""
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Document):
            if item.doc_id in seen:
                file, line = item.origin.rsplit(":", 1)
                yield InputProblem(file, int(line), f"duplicate id {item.doc_id!r} (first at {seen[item.doc_id]})")
                continue
            seen[item.doc_id] = item.origin
        yield item


def _record_id(name: str, line: int, row: dict, id_field: str | None) -> str:
    """The row's id, or "<file stem>:<line>" when the row has none."""
    value = row.get(id_field or "id")
    if value is None or str(value).strip() == "":
        return f"{'stdin' if name == '<stdin>' else Path(name).stem}:{line}"
    return str(value)


def _record_text(name: str, line: int, row: dict, text_field: str) -> str | InputProblem:
    if text_field not in row:
        return InputProblem(name, line, f"no {text_field!r} field")
    text = row[text_field]
    if not isinstance(text, str):
        return InputProblem(name, line, f"{text_field!r} is not a string")
    if not text.strip():
        return InputProblem(name, line, "empty text")
    return text


def _read_jsonl(name: str, stream: BinaryIO, spec: InputSpec, given_pairs: bool) -> Iterator[Document | InputProblem]:
    first = True
    for record in jsonl_records(stream):
        if isinstance(record, LineProblem):
            yield InputProblem(name, record.line, record.message)
            continue
        number, row = record
        if first and (missing := missing_columns(row, spec.text_field, spec.id_field, spec.keep_fields)):
            yield InputProblem(name, number, missing + " in the first record")  # a misspelt name: said once
            return
        first = False
        text = _record_text(name, number, row, spec.text_field)
        if isinstance(text, InputProblem):
            yield text
            continue
        doc_id = _record_id(name, number, row, spec.id_field)
        date = _record_date(name, number, row, spec.date_field)
        if isinstance(date, InputProblem):
            yield date
            continue
        if not given_pairs:
            yield Document(doc_id, text, f"{name}:{number}", date=date, fields=kept(row, spec.keep_fields))
            continue
        given = _given_pair(name, number, text, row)
        yield given if isinstance(given, InputProblem) else Document(doc_id, text, f"{name}:{number}", given, date,
                                                                     kept(row, spec.keep_fields))


def _record_date(name: str, line: int, row: dict, date_field: str | None) -> str | InputProblem | None:
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


def _given_pair(name: str, number: int, text: str, row: dict) -> list[ClaimActors] | InputProblem:
    """A pairs-mode row as one claim (the whole text) with the given mentions of one actor."""
    mentions = row.get("mentions")
    if not isinstance(mentions, list) or not mentions:
        return InputProblem(name, number, "'mentions' must be a non-empty list of {start, end}")
    spans = []
    for mention in mentions:
        start, end = (mention.get("start"), mention.get("end")) if isinstance(mention, dict) else (None, None)
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            return InputProblem(name, number, f"mention {mention!r} needs integer 'start' and 'end'")
        if not 0 <= start < end <= len(text):
            return InputProblem(name, number, f"mention [{start}, {end}) is outside the text (length {len(text)})")
        spans.append((start, end))
    spans.sort()
    actor = row.get("actor")
    if actor is not None and (not isinstance(actor, str) or not actor.strip()):
        return InputProblem(name, number, "'actor' must be a non-empty string when given")
    actor = actor or text[spans[0][0] : spans[0][1]]
    claim = Claim(0, 0, len(text), text)
    return [ClaimActors(claim, [Mention(actor, "given", text[s:e], s, e, "given") for s, e in spans])]


def _read_csv(name: str, stream: BinaryIO, spec: InputSpec) -> Iterator[Document | InputProblem]:
    # surrogateescape keeps going past a bad byte; the row holding it is reported and skipped.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _csv_documents(name, csv.reader(text), spec)
    finally:
        text.detach()  # the caller closes the stream (never stdin)


def header_problem(columns: list[str], spec: InputSpec) -> str | None:
    """The problem line of a table input (CSV, Parquet) that lacks a named column, or None."""
    if missing := missing_columns(columns, spec.text_field, spec.id_field, spec.keep_fields):
        return missing
    if spec.date_field is not None and spec.date_field not in columns:
        return f"no date column {spec.date_field!r} (columns: {', '.join(columns)})"
    return None


def _csv_documents(name: str, reader, spec: InputSpec) -> Iterator[Document | InputProblem]:
    header = next(reader, None)
    if header is None:
        yield InputProblem(name, 1, "empty file")
        return
    if problem := header_problem(header, spec):
        yield InputProblem(name, 1, problem)
        return
    start_line = reader.line_num + 1
    for values in reader:
        number, start_line = start_line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if any(_has_surrogate(v) for v in values):
            yield InputProblem(name, number, "not valid UTF-8")
            continue
        if len(values) != len(header):
            yield InputProblem(name, number, f"{len(values)} fields, the header has {len(header)}")
            continue
        row = dict(zip(header, values))
        record = _record_text(name, number, row, spec.text_field)
        date = _record_date(name, number, row, spec.date_field)
        if isinstance(record, InputProblem) or isinstance(date, InputProblem):
            yield record if isinstance(record, InputProblem) else date
        else:
            yield Document(_record_id(name, number, row, spec.id_field), record, f"{name}:{number}", date=date,
                           fields=kept(row, spec.keep_fields))


def _has_surrogate(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
