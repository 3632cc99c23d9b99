"""Documents to score, read from a .txt file, a directory of them, JSONL, CSV, stdin, or given pairs.

Readers yield `Document`s and `InputProblem`s in input order, so one bad record is reported as
"file:line: problem" while every good record is still scored. Line 0 means the file as a whole.
"""
from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stance.textfile import LineProblem, decode_text, jsonl_records
from stance.types import Claim, ClaimActors, Mention

FORMATS = ("txt", "dir", "jsonl", "csv", "pairs")
STDIN = "-"


@dataclass
class Document:
    """One unit of scoring; `given` holds the claim and mentions of a given pair (no splitting, no detection)."""

    doc_id: str
    text: str
    origin: str  # file:line, for messages
    given: list[ClaimActors] | None = None

    def digest(self) -> str:
        """A fingerprint of the text (and given mentions), so a resumed run notices a document that changed."""
        return hashlib.sha1(f"{self.text}\0{self.given!r}".encode("utf-8", "surrogatepass")).hexdigest()


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
    id_field: str = "id"
    text_field: str = "text"


def resolve_format(path: str, input_format: str) -> str:
    """auto: stdin and other files are txt, a directory is dir, .jsonl/.ndjson is jsonl, .csv is csv."""
    if input_format != "auto":
        if input_format not in FORMATS:
            raise ValueError(f"unknown input_format {input_format!r}; expected auto or one of {', '.join(FORMATS)}")
        return input_format
    if path == STDIN:
        return "txt"
    if Path(path).is_dir():
        return "dir"
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(Path(path).suffix.lower(), "txt")


def read_inputs(spec: InputSpec) -> Iterator[Document | InputProblem]:
    """Every document of the input, with a problem in its place wherever a record cannot be used."""
    fmt = resolve_format(spec.path, spec.format)
    name = "<stdin>" if spec.path == STDIN else spec.path
    if spec.path != STDIN and not Path(spec.path).exists():
        yield InputProblem(name, 0, "no such file or directory")
        return
    if fmt == "dir":
        yield from _read_dir(spec)
        return
    if spec.path != STDIN and Path(spec.path).is_dir():
        yield InputProblem(name, 0, f"is a directory (input_format={fmt} needs a file)")
        return
    data = sys.stdin.buffer.read() if spec.path == STDIN else Path(spec.path).read_bytes()
    if fmt == "txt":
        stem = "stdin" if spec.path == STDIN else Path(spec.path).stem
        yield _text_document(name, stem, data)
    elif fmt == "csv":
        yield from _unique_ids(_read_csv(name, data, spec))
    else:
        yield from _unique_ids(_read_jsonl(name, data, spec, given_pairs=fmt == "pairs"))


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


def _record_id(name: str, line: int, row: dict, id_field: str) -> str:
    """The row's id, or "<file stem>:<line>" when the row has none."""
    value = row.get(id_field)
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


def _read_jsonl(name: str, data: bytes, spec: InputSpec, given_pairs: bool) -> Iterator[Document | InputProblem]:
    for record in jsonl_records(data):
        if isinstance(record, LineProblem):
            yield InputProblem(name, record.line, record.message)
            continue
        number, row = record
        text = _record_text(name, number, row, spec.text_field)
        if isinstance(text, InputProblem):
            yield text
            continue
        doc_id = _record_id(name, number, row, spec.id_field)
        if not given_pairs:
            yield Document(doc_id, text, f"{name}:{number}")
            continue
        given = _given_pair(name, number, text, row)
        yield given if isinstance(given, InputProblem) else Document(doc_id, text, f"{name}:{number}", given)


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


def _read_csv(name: str, data: bytes, spec: InputSpec) -> Iterator[Document | InputProblem]:
    # surrogateescape keeps going past a bad byte; the row holding it is reported and skipped.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        yield InputProblem(name, 1, "empty file")
        return
    if spec.text_field not in header:
        yield InputProblem(name, 1, f"no column {spec.text_field!r} (columns: {', '.join(header)})")
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
        if isinstance(record, InputProblem):
            yield record
        else:
            yield Document(_record_id(name, number, row, spec.id_field), record, f"{name}:{number}")


def _has_surrogate(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
