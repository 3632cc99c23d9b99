"""`output_format=parquet` writes the rows pairs.jsonl holds as shards, and an interrupted run resumes with every row
exactly once."""
import json

import pyarrow.parquet as pq
import pytest
import scoring
from omegaconf import OmegaConf
from scoring import DOCS, read_jsonl

from stance.score import ScoreError
from stance.score.outputs.shards import output_format, read_pairs

pytestmark = pytest.mark.usefixtures("reuse_loaded_pipelines")  # tests/score/conftest.py


def score(tmp_path, model_dir, *overrides, out="out"):
    return scoring.score(tmp_path, model_dir, "view=false", *overrides, out=out)


def test_parquet_output_holds_the_rows_of_pairs_jsonl(tmp_path, tiny_model_dir):
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": v, "n": i}) + "\n" for i, (k, v) in enumerate(DOCS.items())))
    _, out = score(tmp_path, tiny_model_dir, f"input={jsonl}", "keep_fields=[n]")
    expected, actors = read_jsonl(out / "pairs.jsonl"), (out / "actors.csv").read_text()
    parquet = [f"input={jsonl}", "keep_fields=[n]", "output_format=parquet", "shard_pairs=4", "doc_batch_size=1"]
    with pytest.raises(ScoreError, match="different output_format; use overwrite=true"):
        score(tmp_path, tiny_model_dir, *parquet)  # never appended to a run of the other format
    summary, _ = score(tmp_path, tiny_model_dir, *parquet, "overwrite=true")
    shards = sorted((out / "pairs").glob("part-*.parquet"))
    assert not (out / "pairs.jsonl").exists() and len(shards) >= 2
    assert all(pq.read_schema(s) == pq.read_schema(shards[0]) for s in shards)  # one table for pandas / Spark
    assert read_pairs(out) == [{**p, "n": str(p["n"])} for p in expected]  # kept fields are text in Parquet
    assert (out / "actors.csv").read_text() == actors and summary["counts"]["pairs"] == len(expected)
    with pytest.raises(ValueError, match="output_format='csv': expected auto, jsonl or parquet"):
        output_format(OmegaConf.create({"output_format": "csv", "engine": "local"}))
    assert output_format(OmegaConf.create({"output_format": "auto", "engine": "ray"})) == "parquet"


def test_parquet_output_resumes_with_every_row_once(tmp_path, tiny_model_dir):
    root = tmp_path / "docs"
    root.mkdir()
    for doc_id, text in DOCS.items():
        (root / f"{doc_id}.txt").write_text(text)
    options = [f"input={root}", "output_format=parquet", "shard_pairs=1", "doc_batch_size=1"]
    _, out = score(tmp_path, tiny_model_dir, *options)
    expected = read_pairs(out)
    done = (out / "done.jsonl").read_text().splitlines(keepends=True)
    # Interrupted after the shards of c and d were renamed into place, before c's done line was whole.
    (out / "done.jsonl").write_text("".join(done[:2]) + done[2][:7])
    (out / "pairs" / ".part-000009.tmp").write_bytes(b"PAR1 cut off")  # a shard cut off while being written
    summary, _ = score(tmp_path, tiny_model_dir, *options)
    assert summary["this_run"]["resumed_documents"] == 2 and summary["this_run"]["documents_scored"] == 2
    assert read_pairs(out) == expected and not list((out / "pairs").glob(".*.tmp"))
    assert [r["doc_id"] for r in read_jsonl(out / "done.jsonl")] == list(DOCS)
    (out / "pairs" / "part-000001.parquet").write_bytes(b"not Parquet")  # a damaged shard: its document again
    summary, _ = score(tmp_path, tiny_model_dir, *options)
    assert summary["this_run"]["documents_scored"] == 1 and len(read_pairs(out)) == len(expected)
    assert sorted(map(json.dumps, read_pairs(out))) == sorted(map(json.dumps, expected))
