"""Documents to score, read from a .txt file, a directory of them, JSONL, CSV, stdin, or given pairs.

Readers yield `Document`s and `InputProblem`s in input order, so one bad record is reported as
"file:line: problem" while every good record is still scored. Line 0 means the file as a whole.
JSONL, CSV and stdin are read as streams, a record at a time, so `limit` (the first N records) costs
the memory of N records whatever the size of the file. Ids must be unique in every format: results
are kept and resumed by id.
"""
from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from stance.score.fields import kept, missing_columns
from stance.score.inputs.parquet import read_parquet
from stance.score.inputs.records import (
    Document,
    InputProblem,
    InputSpec,
    header_problem,
    record_date,
    record_id,
    record_text,
)
from stance.textfile import LineProblem, decode_text, jsonl_records
from stance.types import Claim, ClaimActors, Mention

FORMATS = ("txt", "dir", "jsonl", "csv", "pairs", "parquet")
STDIN = "-"


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
        text = record_text(name, number, row, spec.text_field)
        if isinstance(text, InputProblem):
            yield text
            continue
        doc_id = record_id(name, number, row, spec.id_field)
        date = record_date(name, number, row, spec.date_field)
        if isinstance(date, InputProblem):
            yield date
            continue
        if not given_pairs:
            yield Document(doc_id, text, f"{name}:{number}", date=date, fields=kept(row, spec.keep_fields))
            continue
        given = _given_pair(name, number, text, row)
        yield given if isinstance(given, InputProblem) else Document(doc_id, text, f"{name}:{number}", given, date,
                                                                     kept(row, spec.keep_fields))


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
        record = record_text(name, number, row, spec.text_field)
        date = record_date(name, number, row, spec.date_field)
        if isinstance(record, InputProblem) or isinstance(date, InputProblem):
            yield record if isinstance(record, InputProblem) else date
        else:
            yield Document(record_id(name, number, row, spec.id_field), record, f"{name}:{number}", date=date,
                           fields=kept(row, spec.keep_fields))


def _has_surrogate(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
