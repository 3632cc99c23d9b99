"""One run per output directory: a second run is refused at once naming the first, a lock left by a dead
process is taken over (and says so), and two real processes on one directory never duplicate a row."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from stance.config import compose
from stance.score import ScoreError, run_score
from stance.score.outputs.lock import LOCK_FILE, LockedError, OutputLock

TEXT = "Putin failed badly in Ukraine. Aliyev met Erdogan in Ankara on Tuesday."


def dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_held_directory_is_refused_naming_the_holder(tmp_path):
    with OutputLock(tmp_path):
        holder = json.loads((tmp_path / LOCK_FILE).read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with pytest.raises(LockedError, match=rf"in use by another run \(pid {os.getpid()} on host "):
            OutputLock(tmp_path).acquire()
    assert not (tmp_path / LOCK_FILE).exists()  # released: removed
    with OutputLock(tmp_path) as again:  # and free again
        assert again.took_over is None


def test_a_lock_left_by_a_dead_process_is_taken_over_and_reported(tmp_path, tiny_model_dir, capsys):
    pid = dead_pid()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / LOCK_FILE).write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    (tmp_path / "doc.txt").write_text(TEXT)
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={tmp_path / 'doc.txt'}", f"output={tmp_path / 'out'}",
                            "progress=false", "threads=1", "bf16=false"])
    summary = run_score(cfg)
    assert summary["counts"]["documents"] == 1 and not (tmp_path / "out" / LOCK_FILE).exists()
    assert f"took over the lock of a run that ended without releasing it (pid {pid} on host" in capsys.readouterr().err


def test_run_score_is_refused_while_another_holds_the_directory(tmp_path, tiny_model_dir):
    (tmp_path / "doc.txt").write_text(TEXT)
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={tmp_path / 'doc.txt'}", f"output={tmp_path / 'out'}",
                            "progress=false", "threads=1", "bf16=false"])
    with OutputLock(tmp_path / "out"), pytest.raises(ScoreError, match=f"pid {os.getpid()}"):
        run_score(cfg)
    assert not (tmp_path / "out" / "pairs.jsonl").exists()  # refused before anything was written


def test_two_processes_on_one_directory_one_is_refused_and_no_row_is_doubled(tmp_path, tiny_model_dir):
    """The first run holds the lock while it waits for its text on stdin; the second, started then, is refused
    at once with one line naming the first; the first then finishes with every row once."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stance.score", "input=-", f"model_dir={tiny_model_dir}", f"output={out}",
               "progress=false", "threads=1", "bf16=false"]
    first = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=tmp_path, text=True)
    deadline = time.monotonic() + 120
    while not (out / LOCK_FILE).is_file() or not (out / LOCK_FILE).read_text():
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()[-2000:]
        time.sleep(0.05)
    second = subprocess.run(command, input=TEXT, capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert second.returncode == 1
    refusal = second.stderr.strip().splitlines()[-1]
    assert refusal.startswith(f"error: {out}: in use by another run (pid {first.pid} on host ")
    _, stderr = first.communicate(TEXT, timeout=120)
    assert first.returncode == 0, stderr[-2000:]
    rows = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    keys = [(r["doc_id"], r["claim_id"], r["actor"]) for r in rows]
    assert rows and len(keys) == len(set(keys))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["pairs"] == len(rows) and summary["counts"]["documents"] == 1
    assert not (out / LOCK_FILE).exists()
