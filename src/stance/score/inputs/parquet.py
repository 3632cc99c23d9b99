"""Documents from a Parquet file (`input=posts.parquet`, `id_field` / `text_field` / `date_field` / `keep_fields`).

Read a row group's batch at a time (pyarrow `iter_batches`, only the columns the run uses), so `limit` and
memory work as for JSONL. A row's "line" in `file:line: problem` is its 1-based row number; line 0 is the
file as a whole (not Parquet, a column the run needs is missing). Values are checked as JSONL's are: a
null or non-string text is a problem, ids become strings; kept fields that JSON cannot hold as they are
(dates, timestamps, decimals, bytes) are written as text (ISO 8601, the decimal's digits, UTF-8 or hex).
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

from stance.score.fields import kept
from stance.score.inputs.records import (
    Document,
    InputProblem,
    InputSpec,
    header_problem,
    record_date,
    record_id,
    record_text,
)

READ_BATCH_ROWS = 1024


def read_parquet(name: str, spec: InputSpec) -> Iterator[Document | InputProblem]:
    """`Document`s and `InputProblem`s of the Parquet file `name`, in row order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(name)
    except (pa.ArrowInvalid, OSError) as error:
        yield InputProblem(name, 0, f"not a Parquet file ({str(error).splitlines()[0]})")
        return
    columns = parquet.schema_arrow.names
    if problem := header_problem(columns, spec):
        yield InputProblem(name, 0, problem)
        return
    wanted = [spec.text_field, spec.id_field or "id", spec.date_field, *spec.keep_fields]
    read = [c for c in dict.fromkeys(wanted) if c is not None and c in columns]
    number = 0
    for batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS, columns=read):
        for row in batch.to_pylist():
            number += 1
            if row[spec.text_field] is None:
                yield InputProblem(name, number, f"{spec.text_field!r} is null")
                continue
            text = record_text(name, number, row, spec.text_field)
            date = record_date(name, number, row, spec.date_field)
            if isinstance(text, InputProblem) or isinstance(date, InputProblem):
                yield text if isinstance(text, InputProblem) else date
                continue
            fields = {key: jsonable(value) for key, value in kept(row, spec.keep_fields).items()}
            yield Document(record_id(name, number, row, spec.id_field), text, f"{name}:{number}", date=date,
                           fields=fields)


def jsonable(value: Any) -> Any:
    """A Parquet value as JSON can write it: nested lists and maps kept, dates and timestamps as ISO 8601,
    decimals as their digits, bytes as UTF-8 text (hex when they are not UTF-8)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # a Parquet map arrives as a list of (key, value): kept as pairs
        return [jsonable(item) for item in value]
    return value
