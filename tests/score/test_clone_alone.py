"""The score command in a clone with nothing beside it (its default input is data/examples/), and inputs
whose ids collide: each reported as file:line, the rest scored, never a traceback."""
import json
import subprocess
import sys

import pytest

from stance.config import REPO_ROOT, compose
from stance.score import run_score
from stance.score.run import main


def test_default_input_needs_nothing_from_shared(tmp_path, tiny_model_dir):
    (tmp_path / "empty").mkdir()
    cfg = compose("score", [f"paths.shared={tmp_path / 'empty'}", f"model_dir={tiny_model_dir}",
                            f"output={tmp_path / 'out'}", "progress=false", "threads=1", "bf16=false"])
    assert cfg.input == str(REPO_ROOT / "data" / "examples" / "middle-corridor.txt")
    summary = run_score(cfg)
    assert summary["counts"]["documents"] == 1 and summary["counts"]["pairs"] >= 10 and summary["counts"]["errors"] == 0


@pytest.mark.slow
def test_the_readme_command_runs_with_shared_empty(tmp_path):
    """`python -m stance.score` with the shipped model, as the README's first command runs it, in a clone
    whose paths.shared holds nothing."""
    (tmp_path / "empty").mkdir()
    result = subprocess.run([sys.executable, "-m", "stance.score", f"paths.shared={tmp_path / 'empty'}",
                             f"output={tmp_path / 'out'}", "progress=false"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "middle-corridor: 11 claims" in result.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["model"]["dev_f1_macro"] > 0.5 and summary["counts"]["errors"] == 0


def test_colliding_file_ids_are_reported_not_a_traceback(tmp_path, tiny_model_dir, capsys, monkeypatch):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "a.txt").write_text("Putin failed badly in Ukraine.")
    (root / "a.md").write_text("Aliyev met Erdogan in Ankara.")
    (root / "b.txt").write_text("The Kremlin lost the war.")
    monkeypatch.setattr(sys, "argv", ["stance.score", f"input={root}", "glob=*", f"model_dir={tiny_model_dir}",
                                      f"output={tmp_path / 'out'}", "progress=false", "threads=1", "bf16=false"])
    main()  # no SystemExit: two documents were scored
    err = capsys.readouterr().err
    assert err.splitlines() == [f"{root}/a.txt:1: duplicate id 'a' (first at {root}/a.md:1)"]
    done = [json.loads(line) for line in (tmp_path / "out" / "done.jsonl").read_text().splitlines()]
    assert [(d["doc_id"], d["origin"]) for d in done] == [("a", f"{root}/a.md:1"), ("b", f"{root}/b.txt:1")]
    pairs = [json.loads(line) for line in (tmp_path / "out" / "pairs.jsonl").read_text().splitlines()]
    assert {p["text"] for p in pairs if p["doc_id"] == "a"} == {"Aliyev met Erdogan in Ankara."}
