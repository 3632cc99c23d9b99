"""engine=ray on a local Ray (2 CPUs) with the tiny model: the local engine's rows, labels, problems and
files; a rerun after an interruption scores only what is missing; a cluster that cannot be reached or a
missing extra is one line. One Ray serves the in-process tests; one test runs the real command.

Ray starts its workers at niceness 15 (they yield to everything else); beside another pytest worker (`-n 2`)
that starved them for minutes, so the Ray these tests start runs its workers at the tests' own priority."""
import json
import os
import subprocess
import sys

import pytest
import scoring
from scoring import GIVEN_PAIRS, read_jsonl, write_jsonl

from stance.score.engines.ray_cluster import RayUnavailable, check_reachable, connect, import_ray
from stance.score.engines.ray_engine import worker_error
from stance.score.outputs.shards import read_pairs
from stance.score.run import main

ray = pytest.importorskip("ray", reason="engine=ray needs the ray extra (pip install -e .[ray])")

DOCS = {**scoring.DOCS, "e": "Iran and Turkey signed a deal. Brussels was not amused.",
        "f": "Nobody here names anyone."}
BAD_LINES = ['{"id": "g", "text": ""}', '{"id": "h", "text": ', '{"id": "a", "text": "A second a."}']
KEY = ("doc_id", "claim_id", "actor")
os.environ["RAY_worker_niceness"] = "0"  # read when Ray starts: by `local_ray` and by the real command


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the in-process tests (the engine uses a Ray already running, and leaves it be); a new
    one even while a `ray start` cluster runs beside it (test_ray_client.py)."""
    import logging

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()


def score(tmp_path, model_dir, out, *overrides):
    return scoring.score(tmp_path, model_dir, "view=false", *overrides, out=out)


def write_corpus(path):
    lines = [json.dumps({"id": k, "text": v}) for k, v in DOCS.items()]
    path.write_text("\n".join(lines[:3] + BAD_LINES[:2] + lines[3:] + BAD_LINES[2:]) + "\n")
    return path


def by_key(rows):
    return {tuple(row[k] for k in KEY): row for row in rows}


def assert_same_rows(ray_rows, local_rows):
    """Same (document, claim, actor) rows and labels; scores within float32's batch-to-batch noise."""
    mine, theirs = by_key(ray_rows), by_key(local_rows)
    assert len(mine) == len(ray_rows) and mine.keys() == theirs.keys() and mine
    for key, row in mine.items():
        other = theirs[key]
        assert row["label"] == other["label"] and abs(row["score"] - other["score"]) <= 2e-4, key
        assert {k: v for k, v in row.items() if k not in ("probs", "score")} == \
               {k: v for k, v in other.items() if k not in ("probs", "score")}


def test_the_real_command_on_parquet_with_its_own_ray(tmp_path, tiny_model_dir):
    """First in the module, before the in-process Ray starts: `python -m stance.score engine=ray` starts a
    local Ray, scores a Parquet file and stops Ray, with exit 0 and a quiet terminal (no traceback, none of
    Ray's false alarms)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "posts.parquet"
    pq.write_table(pa.table({"id": list(DOCS), "text": list(DOCS.values())}), parquet)
    command = [sys.executable, "-m", "stance.score", f"input={parquet}", f"model_dir={tiny_model_dir}", "engine=ray",
               "progress=false", "bf16=false", "view=false", "show_documents=0"]
    result = subprocess.run([*command, f"output={tmp_path / 'out'}", "ray.num_cpus=2"], capture_output=True,
                            text=True, timeout=600, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "constructor arguments" not in result.stderr, result.stderr
    assert f"{len(DOCS)} documents (0 done before)" in result.stdout
    assert {p["doc_id"] for p in read_pairs(tmp_path / "out")} <= set(DOCS) and read_pairs(tmp_path / "out")


def test_ray_gives_the_local_rows_problems_and_files(tmp_path, tiny_model_dir, local_ray):
    corpus = write_corpus(tmp_path / "posts.jsonl")
    local, local_out = score(tmp_path, tiny_model_dir, "local", f"input={corpus}")
    summary, out = score(tmp_path, tiny_model_dir, "ray", f"input={corpus}", "engine=ray", "ray.batch_size=2",
                         "ray.window_documents=4", "shard_pairs=3")
    assert len(list((out / "pairs").glob("part-*.parquet"))) >= 2  # parquet shards by default on Ray
    assert_same_rows(read_pairs(out), read_jsonl(local_out / "pairs.jsonl"))
    assert sorted(map(json.dumps, read_jsonl(out / "errors.jsonl"))) == \
           sorted(map(json.dumps, read_jsonl(local_out / "errors.jsonl")))
    assert {e["line"] for e in read_jsonl(out / "errors.jsonl")} == {4, 5, 9}
    assert sorted(r["doc_id"] for r in read_jsonl(out / "done.jsonl")) == sorted(DOCS)
    assert sorted((out / "actors.csv").read_text().splitlines()) == \
           sorted((local_out / "actors.csv").read_text().splitlines())
    assert summary["counts"] == local["counts"]
    run = summary["this_run"]
    assert run["engine"] == "ray" and run["documents_scored"] == len(DOCS) and run["model_seconds"] > 0
    assert run["ray"]["cluster_cpus"] == 2 and run["ray"]["peak_actor_rss_mb"] > 0
    assert run["ray"]["windows"] == 2  # 6 documents in blocks of 2, read 4 at a time


def test_given_pairs_on_ray_and_jsonl_output(tmp_path, tiny_model_dir, local_ray):
    path = tmp_path / "pairs.jsonl"
    write_jsonl(path, GIVEN_PAIRS)
    options = [f"input={path}", "input_format=pairs"]
    _, local_out = score(tmp_path, tiny_model_dir, "local", *options)
    _, out = score(tmp_path, tiny_model_dir, "ray", *options, "engine=ray", "output_format=jsonl", "ray.batch_size=1")
    assert_same_rows(read_jsonl(out / "pairs.jsonl"), read_jsonl(local_out / "pairs.jsonl"))
    assert read_jsonl(out / "errors.jsonl") == [
        {"file": str(path), "line": 3, "problem": "mention [2, 40) is outside the text (length 6)"}]


def test_rerun_after_an_interruption_scores_only_what_is_missing(tmp_path, tiny_model_dir, local_ray):
    root = tmp_path / "docs"
    root.mkdir()
    for doc_id, text in DOCS.items():
        (root / f"{doc_id}.txt").write_text(text)
    # The engine is not part of the run: Ray finishes a run the local engine started, and vice versa.
    local = [f"input={root}", "output_format=parquet", "doc_batch_size=1", "shard_pairs=1"]
    _, out = score(tmp_path, tiny_model_dir, "out", *local)
    expected = read_pairs(out)
    done = (out / "done.jsonl").read_text().splitlines(keepends=True)
    # Interrupted after every shard was renamed into place but before the last 3 done lines were written.
    (out / "done.jsonl").write_text("".join(done[:3]))
    summary, _ = score(tmp_path, tiny_model_dir, "out", f"input={root}", "engine=ray", "ray.batch_size=1",
                       "shard_pairs=1")
    assert summary["this_run"]["engine"] == "ray"
    assert summary["this_run"]["resumed_documents"] == 3 and summary["this_run"]["documents_scored"] == 3
    assert_same_rows(read_pairs(out), expected)
    assert len(read_pairs(out)) == len(expected)  # nothing twice
    (out / "done.jsonl").write_text("".join(done[:4]))
    summary, _ = score(tmp_path, tiny_model_dir, "out", *local)
    assert summary["this_run"]["engine"] == "local" and summary["this_run"]["documents_scored"] == 2
    assert_same_rows(read_pairs(out), expected)
    assert sorted(r["doc_id"] for r in read_jsonl(out / "done.jsonl")) == sorted(DOCS)


def test_an_unreachable_cluster_is_one_line_and_exit_1(tmp_path, tiny_model_dir, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["stance.score", f"model_dir={tiny_model_dir}", f"output={tmp_path / 'out'}",
                                      "engine=ray", "ray.address=127.0.0.1:9", "progress=false"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1 and capsys.readouterr().err.strip().splitlines() == [
        "error: ray.address=127.0.0.1:9: cannot reach a Ray cluster at 127.0.0.1:9 (Connection refused)"]


def test_addresses_and_a_missing_extra_are_one_line(monkeypatch):
    with pytest.raises(RayUnavailable, match=r"expected auto, HOST:PORT"):
        check_reachable("nohost", 1)
    with pytest.raises(RayUnavailable, match=r"Ray Data does not run over Ray Client \(ray://\) in this process"):
        connect("ray://head:10001", None, 1)  # checked before Ray is started, joined or found running
    with pytest.raises(RayUnavailable, match=r"cannot reach a Ray cluster at 127.0.0.1:9 \(Connection refused\)"):
        check_reachable("127.0.0.1:9", 1)
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(RayUnavailable, match=r"engine=ray needs Ray Data \(pip install -e '.\[ray\]'\)"):
        import_ray()


def test_a_worker_error_is_its_own_last_line():
    class ActorDied(RuntimeError):
        pass

    inner = ActorDied("The actor died because of an error raised in its creation task\n  File x, line 1\n"
                      "stance.model.integrity.IntegrityError: weights.safetensors: 1,000 bytes (truncated)")
    outer = RuntimeError("")
    outer.__cause__ = inner
    assert worker_error(outer) == "IntegrityError: weights.safetensors: 1,000 bytes (truncated)"
