"""Decoding text and JSON Lines, with a line-numbered problem instead of an exception for each bad line.

Scoring inputs, training data and gold files are all read through these functions, so one bad line
reads the same everywhere and never stops the good lines from being read.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple


class LineProblem(NamedTuple):
    line: int
    message: str


def decode_text(data: bytes, first_line: int = 1) -> str | LineProblem:
    """UTF-8 text (a leading BOM dropped), or the line and byte where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = first_line + data[: error.start].count(b"\n")
        return LineProblem(line, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})")


def json_type_name(value: object) -> str:
    """The JSON name of a parsed value's type, for messages ("got list")."""
    return "null" if value is None else {bool: "boolean", int: "integer", str: "string", list: "list",
                                         dict: "object", float: "number"}.get(type(value), type(value).__name__)


def jsonl_records(data: bytes | Iterable[bytes]) -> Iterator[tuple[int, dict] | LineProblem]:
    """(line number, object) for each non-blank line; a LineProblem for a line that is not UTF-8, not JSON,
    or not a JSON object. `data` is the whole file, or its lines as a binary file yields them (a stream:
    only one line is held at a time)."""
    lines = data.split(b"\n") if isinstance(data, bytes) else (raw.removesuffix(b"\n") for raw in data)
    for number, raw in enumerate(lines, start=1):
        line = decode_text(raw, number)
        if isinstance(line, LineProblem):
            yield line
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield LineProblem(number, f"malformed JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(row, dict):
            yield LineProblem(number, f"expected a JSON object, got {json_type_name(row)}")
            continue
        yield number, row


def jsonl_rows(path: Path, problems: list[str]) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every usable line of a JSONL file; each bad line adds "FILE:LINE: problem"
    to `problems` when the reader reaches it, so problems found in the rows stay in line order."""
    for record in jsonl_records(path.read_bytes()):
        if isinstance(record, LineProblem):
            problems.append(f"{path}:{record.line}: {record.message}")
        else:
            yield record
