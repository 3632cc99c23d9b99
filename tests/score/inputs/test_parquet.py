"""Parquet input with the local engine: `input=*.parquet` gives the rows JSONL gives (bad rows reported as
file:row). Parquet output: tests/score/outputs/test_shards.py."""
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scoring
from scoring import DOCS, read_jsonl

from stance.score.inputs import InputSpec, read_inputs

pytestmark = pytest.mark.usefixtures("reuse_loaded_pipelines")  # tests/score/conftest.py


def score(tmp_path, model_dir, *overrides, out="out"):
    return scoring.score(tmp_path, model_dir, "view=false", *overrides, out=out)


def test_parquet_input_gives_the_rows_of_jsonl(tmp_path, tiny_model_dir):
    rows = [{"key": k, "body": v, "day": f"2024-03-0{i + 1}", "likes": i} for i, (k, v) in enumerate(DOCS.items())]
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    parquet = tmp_path / "docs.parquet"  # the date as Parquet's own date type, the likes as integers
    pq.write_table(pa.Table.from_pylist([{**r, "day": dt.date.fromisoformat(r["day"])} for r in rows]), parquet)
    options = ["id_field=key", "text_field=body", "date_field=day", "keep_fields=[likes]"]
    _, from_jsonl = score(tmp_path, tiny_model_dir, f"input={jsonl}", *options, out="jsonl")
    summary, from_parquet = score(tmp_path, tiny_model_dir, f"input={parquet}", *options, out="parquet")
    expected = read_jsonl(from_jsonl / "pairs.jsonl")
    assert expected and read_jsonl(from_parquet / "pairs.jsonl") == expected
    assert {p["likes"] for p in expected} <= {0, 1, 2, 3}
    assert [r["date"] for r in read_jsonl(from_parquet / "done.jsonl")] == [r["day"] for r in rows]
    assert summary["counts"]["documents"] == 4 and summary["counts"]["errors"] == 0


def test_bad_parquet_rows_are_reported_by_row_number(tmp_path, tiny_model_dir):
    parquet = tmp_path / "posts.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3, 4, 1], "text": [DOCS["a"], None, "   ", DOCS["c"], DOCS["d"]]}), parquet)
    _, out = score(tmp_path, tiny_model_dir, f"input={parquet}")
    assert [(e["line"], e["problem"]) for e in read_jsonl(out / "errors.jsonl")] == [
        (2, "'text' is null"), (3, "empty text"), (5, f"duplicate id '1' (first at {parquet}:1)")]
    assert [r["doc_id"] for r in read_jsonl(out / "done.jsonl")] == ["1", "4"]
    assert [str(p) for p in read_inputs(InputSpec(str(parquet), text_field="body"))] == [
        f"{parquet}:0: no column 'body' (columns: id, text)"]
