"""`ray.address=ray://HOST:PORT`: a run sent through Ray Client to a cluster (`ray start --head`, 2 CPUs, on
this machine) gives the local engine's rows and problems (with STANCE_TEST_RAY_CLIENT=1: it costs ~50 s);
the model lands where a rerun finds it again (the resume itself is the engine's, tested in
test_ray_engine.py); what cannot travel or connect is one line.

The cluster runs with `--block` in a session of its own, so killing that process group stops its cluster and
nothing else (`ray stop` would also stop the Ray of a test running beside this one). Token authentication
is off for it and for the client alike (`ray start` turns it on where a token file exists)."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import scoring
from scoring import read_jsonl

from stance.config import compose
from stance.score import ScoreError
from stance.score.engines.ray_client import check_client_options, unpack_model
from stance.score.engines.ray_cluster import RayUnavailable
from stance.score.engines.ray_stages import pack_model
from stance.score.outputs.shards import read_pairs
from stance.score.run import main

pytest.importorskip("ray", reason="engine=ray needs the ray extra (pip install -e .[ray])")
pytest.importorskip("grpc", reason="ray:// needs Ray Client (the ray extra installs ray[client])")

ENV = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_worker_niceness": "0", "RAY_USAGE_STATS_ENABLED": "0"}
DOCS = {**scoring.DOCS, "e": "Iran and Turkey signed a deal. Brussels was not amused."}
LINES = [json.dumps({"id": k, "text": v}) for k, v in DOCS.items()] + ['{"id": "g", "text": ""}', '{"id": "h"']


def row_key(row: dict) -> tuple:
    return row["doc_id"], row["claim_id"], row["actor"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "ray start --head exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no Ray Client server on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def client_address():
    ray_command = Path(sys.executable).with_name("ray")
    client_port, gcs_port = free_port(), free_port()
    head = subprocess.Popen([str(ray_command), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
                             f"--port={gcs_port}", f"--ray-client-server-port={client_port}", "--num-cpus=2",
                             "--include-dashboard=false", "--disable-usage-stats"],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(client_port, head, 90)
        yield f"ray://127.0.0.1:{client_port}"
    finally:  # its whole process group at once (a polite stop takes Ray ~30 s)
        os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=60)
        recorded = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"  # what `ray.address=auto` reads
        if recorded.is_file() and recorded.read_text().strip().endswith(f":{gcs_port}"):
            recorded.unlink()  # `ray stop` would remove it; a dead cluster's address would mislead the next run


def run_client_command(address: str, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stance.score", "engine=ray", f"ray.address={address}", "progress=false",
               "bf16=false", "threads=1", "view=false", "show_documents=0", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV, check=False)


@pytest.mark.skipif(not os.environ.get("STANCE_TEST_RAY_CLIENT"), reason="starts a Ray cluster (~50 s): run with "
                    "STANCE_TEST_RAY_CLIENT=1; left out of the default run to keep CI under 10 minutes")
def test_a_run_over_ray_client_gives_the_local_rows_and_problems(tmp_path, tiny_model_dir, client_address):
    corpus = tmp_path / "posts.jsonl"
    corpus.write_text("\n".join(LINES) + "\n")
    _, local_out = scoring.score(tmp_path, tiny_model_dir, f"input={corpus}", "view=false", out="local")
    out = tmp_path / "client"
    options = [f"input={corpus}", f"model_dir={tiny_model_dir}", f"output={out}", "output_format=jsonl"]

    first = run_client_command(client_address, *options)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"{len(DOCS)} documents (0 done before)" in first.stdout and "Traceback" not in first.stderr
    assert f"{corpus}:7: " in first.stderr and f"{corpus}:6: " in first.stderr  # the problems, printed here
    mine, theirs = read_pairs(out), read_jsonl(local_out / "pairs.jsonl")
    assert sorted(map(row_key, mine)) == sorted(map(row_key, theirs)) and mine
    labels = {row_key(row): row["label"] for row in theirs}
    assert all(row["label"] == labels[row_key(row)] for row in mine)
    assert sorted(map(json.dumps, read_jsonl(out / "errors.jsonl"))) == \
           sorted(map(json.dumps, read_jsonl(local_out / "errors.jsonl")))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["this_run"]["engine"] == "ray" and summary["this_run"]["ray"]["cluster_cpus"] == 2
    assert summary["model"]["path"] == unpack_model(pack_model(tiny_model_dir))  # where a rerun finds it again


def test_the_model_unpacks_to_one_path_per_content(tiny_model_dir, tmp_path, monkeypatch):
    """What lets a rerun over Ray Client resume: the same model content, the same model_dir on the head."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    model = pack_model(tiny_model_dir)
    first = unpack_model(model)
    assert unpack_model(model) == first and pack_model(first) == model
    changed = {**model, "stance_model.json": model["stance_model.json"] + b"\n"}
    assert unpack_model(changed) != first


@pytest.mark.parametrize(("option", "line"), [
    ("output=relative/out", ("ray.address=ray://127.0.0.1:9: output=relative/out: give an absolute path on the "
                             "cluster's head node (the run goes there as a task; standard input does not travel)")),
    ("input=-", ("ray.address=ray://127.0.0.1:9: input=-: give an absolute path on the cluster's head node (the run "
                 "goes there as a task; standard input does not travel)")),
    ("ray.num_cpus=2", ("ray.num_cpus=2 applies to a local Ray only; an existing cluster "
                        "(ray.address=ray://127.0.0.1:9) has the CPUs it was started with")),
    ("model_dir=nowhere", "model_dir=nowhere: no such model directory (looked in {cwd}/nowhere)"),
])
def test_what_cannot_travel_is_one_line_before_connecting(tmp_path, tiny_model_dir, option, line):
    cfg = compose("score", ["engine=ray", "ray.address=ray://127.0.0.1:9", f"model_dir={tiny_model_dir}",
                            f"output={tmp_path}/out", option])
    with pytest.raises((RayUnavailable, ScoreError)) as error:
        check_client_options(cfg)
    assert str(error.value) == line.format(cwd=Path.cwd())


def test_an_unreachable_client_server_is_one_line_exit_1_and_writes_nothing(tmp_path, tiny_model_dir, capsys,
                                                                            monkeypatch):
    monkeypatch.setattr(sys, "argv", ["stance.score", "engine=ray", "ray.address=ray://127.0.0.1:9",
                                      f"model_dir={tiny_model_dir}", f"output={tmp_path}/out"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1 and capsys.readouterr().err.strip().splitlines() == [
        "error: ray.address=ray://127.0.0.1:9: cannot reach a Ray cluster at 127.0.0.1:9 (Connection refused)"]
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]  # nothing written (Hydra makes the dir)
