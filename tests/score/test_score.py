"""`python -m stance.score` on the tiny random model: every input format, the output files, resuming after
an interruption, overwrite, bad input (one line each, good records still scored) and exit codes."""
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scoring import DOCS, GIVEN_PAIRS, read_jsonl, score, write_jsonl

from stance.config import compose
from stance.score import ScoreError
from stance.score.run import main

pytestmark = pytest.mark.usefixtures("reuse_loaded_pipelines")  # tests/score/conftest.py


def write_dir(root, docs=DOCS):
    root.mkdir(exist_ok=True)
    for doc_id, text in docs.items():
        (root / f"{doc_id}.txt").write_text(text)
    return root


def run_cli(capsys, monkeypatch, *args):
    """Run the Hydra entry point in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["stance.score", "progress=false", "threads=1", *args])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_default_input_outputs(tmp_path, tiny_model_dir):
    summary, out = score(tmp_path, tiny_model_dir)  # the example commentary in data/examples/
    text = Path(compose("score").input).read_text()
    pairs = read_jsonl(out / "pairs.jsonl")
    assert pairs and {p["doc_id"] for p in pairs} == {"middle-corridor"}
    for pair in pairs:
        assert text[pair["start"] : pair["end"]] == pair["text"]
        for mention in pair["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]
            assert pair["start"] <= mention["start"] < mention["end"] <= pair["end"] and mention["source"]
        assert set(pair["probs"]) == {"against", "neutral", "favor"} and abs(sum(pair["probs"].values()) - 1) < 1e-3
        assert pair["label"] == max(pair["probs"], key=pair["probs"].get)
        assert abs(pair["score"] - (pair["probs"]["favor"] - pair["probs"]["against"])) < 2e-4
        assert pair["windowed"] is False
    assert len({(p["claim_id"], p["actor"]) for p in pairs}) == len(pairs)

    with (out / "actors.csv").open() as handle:
        actors = list(csv.DictReader(handle))
    assert len(actors) == len({p["actor"] for p in pairs})
    for row in actors:
        mine = [p for p in pairs if p["actor"] == row["actor"]]
        mean = sum(p["score"] for p in mine) / len(mine)
        assert abs(float(row["mean_score"]) - mean) < 1e-4 and int(row["claims"]) == len(mine)
        counts = {label: sum(p["label"] == label for p in mine) for label in ("against", "neutral", "favor")}
        assert [int(row[f"n_{label}"]) for label in counts] == list(counts.values())
        top = max(counts.values())  # the label follows the counts: the most frequent, neutral on a tie
        assert row["label"] == (next(l for l, n in counts.items() if n == top) if list(counts.values()).count(top) == 1
                                else "neutral")
        assert sum(int(row[f"n_{label}"]) for label in ("against", "neutral", "favor")) == len(mine)

    saved = json.loads((out / "summary.json").read_text())
    assert saved == summary
    assert summary["counts"]["documents"] == 1 and summary["counts"]["pairs"] == len(pairs)
    assert summary["counts"]["claims"] == 11 and summary["counts"]["errors"] == 0
    assert summary["model"]["labels"] == ["against", "neutral", "favor"] and summary["config"]["batch_size"] == 64
    assert summary["this_run"]["pairs_per_second"] > 0
    assert "${" not in (out / "config.yaml").read_text() and read_jsonl(out / "errors.jsonl") == []


def test_dir_jsonl_csv_give_the_same_rows(tmp_path, tiny_model_dir):
    root = write_dir(tmp_path / "docs")
    (root / "notes.md").write_text("Not commentary.")
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps({"key": k, "body": v}) + "\n" for k, v in DOCS.items()))
    table = tmp_path / "docs.csv"
    with table.open("w", newline="") as handle:
        csv.writer(handle).writerows([["body", "key"], *[[v, k] for k, v in DOCS.items()]])

    def rows(out):
        return [{k: v for k, v in p.items()} for p in read_jsonl(out / "pairs.jsonl")]

    _, from_dir = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=3", out="dir")
    _, from_jsonl = score(tmp_path, tiny_model_dir, f"input={jsonl}", "id_field=key", "text_field=body", out="jsonl")
    _, from_csv = score(tmp_path, tiny_model_dir, f"input={table}", "id_field=key", "text_field=body", out="csv")
    assert rows(from_dir) and {p["doc_id"] for p in rows(from_dir)} <= set(DOCS)
    assert rows(from_dir) == rows(from_jsonl) == rows(from_csv)
    assert [r["doc_id"] for r in read_jsonl(from_dir / "done.jsonl")] == ["a", "b", "c", "d"]


def test_pairs_mode_scores_given_pairs(tmp_path, tiny_model_dir):
    path = tmp_path / "pairs.jsonl"
    write_jsonl(path, GIVEN_PAIRS)
    summary, out = score(tmp_path, tiny_model_dir, f"input={path}", "input_format=pairs")
    pairs = read_jsonl(out / "pairs.jsonl")
    assert [(p["doc_id"], p["actor"], p["kind"], p["text"]) for p in pairs] == [
        ("n1", "Azerbaijan", "given", "Putin met Aliyev."), ("n2", "Putin", "given", "He said Putin lied to him.")]
    assert [m["text"] for m in pairs[1]["mentions"]] == ["Putin", "him"]
    assert {m["source"] for p in pairs for m in p["mentions"]} == {"given"}
    assert summary["counts"] == {"documents": 2, "claims": 2, "pairs": 2, "actors": 2, "errors": 1, "windowed_pairs": 0,
                                 "windowed_claims": 0, "windowed_sentiment_claims": 0, "split_long": 0, "split_long_claims": 0}
    assert read_jsonl(out / "errors.jsonl") == [
        {"file": str(path), "line": 3, "problem": "mention [2, 40) is outside the text (length 6)"}]


def test_long_claim_is_windowed_and_counted(tmp_path, tiny_model_dir, capsys, monkeypatch):
    text = "Putin " + " ".join(["spoke at length about the economy and the war"] * 30) + "."
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"id": "long", "text": text, "mentions": [{"start": 0, "end": 5}]}) + "\n")
    code, _, stderr = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"input={path}",
                              "input_format=pairs", f"output={tmp_path / 'out'}")
    (pair,) = read_jsonl(tmp_path / "out" / "pairs.jsonl")
    assert code == 0 and pair["windowed"] is True and pair["text"] == text  # the row keeps the whole claim
    counts = json.loads((tmp_path / "out" / "summary.json").read_text())["counts"]
    assert counts["windowed_pairs"] == 1 and counts["windowed_claims"] == 1
    assert "1 claims (1 pairs) were longer than the model's max_length" in stderr


def test_a_long_sentence_without_an_actor_is_windowed_for_its_sentiment(tmp_path, tiny_model_dir):
    """The crash of issue 32: a claim over max_length that names no actor is read for its sentiment only."""
    long_sentence = " ".join(["the harvest was late and the markets were quiet"] * 17) + "."
    root = tmp_path / "in"
    root.mkdir()
    (root / "article.txt").write_text(long_sentence.capitalize() + " Russia is wrong.")
    summary, out = score(tmp_path, tiny_model_dir, f"input={root}")
    (pair,) = read_jsonl(out / "pairs.jsonl")
    assert pair["actor"] == "Russia" and summary["counts"]["claims"] == 2 and summary["counts"]["errors"] == 0
    (document,) = read_jsonl(out / "documents.jsonl")
    assert [claim["sentiment"] is not None for claim in document["claims"]] == [True, True]
    assert summary["counts"]["windowed_sentiment_claims"] == 1 and summary["counts"]["windowed_claims"] == 0


def test_resume_after_interruption(tmp_path, tiny_model_dir):
    root = write_dir(tmp_path / "docs")
    _, reference = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=1", out="ref")
    expected = read_jsonl(reference / "pairs.jsonl")
    for doc_id in DOCS:  # the fixture needs pairs in every document for the cuts below to mean something
        assert any(p["doc_id"] == doc_id for p in expected)

    _, out = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=1")
    done = (out / "done.jsonl").read_text().splitlines()
    # Interrupted after writing d's rows, before its done line; also mid-way through a row of d.
    (out / "done.jsonl").write_text("\n".join(done[:3]) + "\n")
    lines = (out / "pairs.jsonl").read_text().splitlines(keepends=True)
    (out / "pairs.jsonl").write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    summary, _ = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=1")
    assert summary["this_run"]["resumed_documents"] == 3 and summary["this_run"]["documents_scored"] == 1
    assert read_jsonl(out / "pairs.jsonl") == expected

    # Interrupted with a torn done line and the rows of c and d written but not marked done.
    (out / "done.jsonl").write_text("\n".join(done[:2]) + "\n" + done[2][:10])
    summary, _ = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=1")
    assert summary["this_run"]["documents_scored"] == 2
    assert read_jsonl(out / "pairs.jsonl") == expected
    assert [json.loads(line)["doc_id"] for line in (out / "done.jsonl").read_text().splitlines()] == list(DOCS)

    summary, _ = score(tmp_path, tiny_model_dir, f"input={root}")  # all done: nothing scored again
    assert summary["this_run"]["documents_scored"] == 0 and read_jsonl(out / "pairs.jsonl") == expected


def test_resume_after_kill_9_of_the_real_command(tmp_path, tiny_model_dir):
    """`python -m stance.score` killed with SIGKILL mid-run, then run again: every row exactly once."""
    docs = {f"doc{i:03d}": text for i, text in enumerate(list(DOCS.values()) * 30)}
    root = write_dir(tmp_path / "docs", docs)
    _, reference = score(tmp_path, tiny_model_dir, f"input={root}", "doc_batch_size=1", out="ref")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stance.score", f"input={root}", f"model_dir={tiny_model_dir}",
               f"output={out}", "doc_batch_size=1", "progress=false", "threads=1", "bf16=false"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if (out / "done.jsonl").is_file() and (out / "done.jsonl").read_bytes().count(b"\n") >= 10:
            break
        time.sleep(0.02)
    process.kill()  # SIGKILL: no cleanup, files may end in a torn line
    assert process.wait() == -signal.SIGKILL, process.stderr.read().decode()[-2000:]
    killed_at = (out / "done.jsonl").read_bytes().count(b"\n")
    assert 10 <= killed_at < len(docs)

    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["this_run"]["resumed_documents"] >= killed_at
    assert summary["this_run"]["resumed_documents"] + summary["this_run"]["documents_scored"] == len(docs)
    assert read_jsonl(out / "pairs.jsonl") == read_jsonl(reference / "pairs.jsonl")
    assert [r["doc_id"] for r in read_jsonl(out / "done.jsonl")] == list(docs)


def test_overwrite_starts_fresh_and_a_different_run_is_refused(tmp_path, tiny_model_dir):
    root = write_dir(tmp_path / "docs")
    _, out = score(tmp_path, tiny_model_dir, f"input={root}")
    first = read_jsonl(out / "pairs.jsonl")
    with pytest.raises(ScoreError, match="different glob; use overwrite=true"):
        score(tmp_path, tiny_model_dir, f"input={root}", "glob=a.txt")
    with pytest.raises(ScoreError, match="different precision; use overwrite=true"):
        score(tmp_path, tiny_model_dir, f"input={root}", "bf16=true")
    summary, _ = score(tmp_path, tiny_model_dir, f"input={root}", "glob=a.txt", "overwrite=true")
    assert summary["this_run"]["resumed_documents"] == 0 and summary["counts"]["documents"] == 1
    assert read_jsonl(out / "pairs.jsonl") == [p for p in first if p["doc_id"] == "a"]
    summary, _ = score(tmp_path, tiny_model_dir, f"input={root}", "overwrite=true")
    assert summary["this_run"]["documents_scored"] == 4 and read_jsonl(out / "pairs.jsonl") == first
    (root / "b.txt").write_text("Putin won.")  # an edited document is not silently left with old results
    with pytest.raises(ScoreError, match=r"b.txt:1: document 'b' is not the one already scored in .*overwrite=true"):
        score(tmp_path, tiny_model_dir, f"input={root}")


def test_bad_input_is_reported_and_good_records_scored(tmp_path, tiny_model_dir, capsys, monkeypatch):
    root = write_dir(tmp_path / "docs", {"good": DOCS["a"]})
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("   \n")
    (root / "binary.txt").write_bytes(b"Putin \xff\xfe lost.")
    code, stdout, stderr = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"input={root}",
                                   f"output={tmp_path / 'out'}")
    assert code == 0 and "good:" in stdout
    assert stderr.splitlines() == [f"{root}/binary.txt:1: not valid UTF-8 (byte 0xff at offset 6)",
                                   f"{root}/blank.txt:1: empty text (whitespace only)", f"{root}/empty.txt:1: empty file"]
    errors = read_jsonl(tmp_path / "out" / "errors.jsonl")
    assert [(Path(e["file"]).name, e["line"]) for e in errors] == [("binary.txt", 1), ("blank.txt", 1), ("empty.txt", 1)]
    assert {p["doc_id"] for p in read_jsonl(tmp_path / "out" / "pairs.jsonl")} == {"good"}

    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text('{"id": "x", "text": "Putin lost."}\n{"id": "y", "text": \n{"id": "z", "text": ""}\n')
    code, _, stderr = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"input={jsonl}",
                              f"output={tmp_path / 'out2'}")
    assert code == 0 and [line.split(": ")[0] for line in stderr.splitlines()] == [f"{jsonl}:2", f"{jsonl}:3"]
    assert [json.loads(l)["doc_id"] for l in (tmp_path / "out2" / "done.jsonl").read_text().splitlines()] == ["x"]


@pytest.mark.parametrize("case", ["missing path", "csv without text column", "model cannot load", "bad options"])
def test_nothing_scored_or_no_model_exits_nonzero_with_one_line(tmp_path, tiny_model_dir, capsys, monkeypatch, case):
    table = tmp_path / "docs.csv"
    table.write_text("id,body\n1,Putin lost.\n")
    args = {"missing path": [f"input={tmp_path / 'nope.txt'}"], "csv without text column": [f"input={table}"],
            "model cannot load": [f"model_dir={tmp_path / 'no_model'}"],
            "bad options": ["limit=0"]}[case]
    code, _, stderr = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"output={tmp_path / 'out'}", *args)
    assert code == 1 and "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    expected = {"missing path": "nothing could be scored", "csv without text column": "nothing could be scored",
                "model cannot load": "no such model directory (looked in", "bad options": "positive number of records"}[case]
    assert last.startswith("error: ") and expected in last
    if case == "csv without text column":
        assert stderr.splitlines()[0] == f"{table}:1: no column 'text' (columns: id, body)"


def test_table_only_for_few_documents(tmp_path, tiny_model_dir, capsys, monkeypatch):
    root = write_dir(tmp_path / "docs")
    code, stdout, _ = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"input={root}",
                              f"output={tmp_path / 'out'}", "show_documents=3")
    assert code == 0 and "(claim, actor) pairs" not in stdout and "4 documents" in stdout
    code, stdout, _ = run_cli(capsys, monkeypatch, f"model_dir={tiny_model_dir}", f"input={root}",
                              f"output={tmp_path / 'out'}")
    assert code == 0 and "a: 2 claims" in stdout and "actor" in stdout and "4 documents (4 done before)" in stdout


def test_command_reads_stdin(tmp_path, tiny_model_dir):
    """The real `python -m stance.score` in a subprocess, text on stdin."""
    result = subprocess.run(
        [sys.executable, "-m", "stance.score", "input=-", f"model_dir={tiny_model_dir}", f"output={tmp_path / 'out'}",
         "threads=1"],
        input=DOCS["a"], capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "stdin: 2 claims" in result.stdout
    pairs = read_jsonl(tmp_path / "out" / "pairs.jsonl")
    assert pairs and {p["doc_id"] for p in pairs} == {"stdin"} and pairs[0]["text"] == "Putin failed badly in Ukraine."


def test_unicode_line_separators_in_text_lose_no_rows(tmp_path, tiny_model_dir):
    """U+2028 and U+0085 stay raw inside JSON strings; rows holding them must survive reading back and resuming."""
    docs = {"a": "Putin failed\u2028badly in Ukraine. Aliyev met Erdogan.", "b": "Russia\x85lost. Iran won.",
            "c": DOCS["c"]}
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in docs.items()))
    summary, out = score(tmp_path, tiny_model_dir, f"input={jsonl}")
    written = [json.loads(line) for line in (out / "pairs.jsonl").read_text().split("\n") if line]
    assert any("\u2028" in p["text"] for p in written) and any("\x85" in p["text"] for p in written)
    assert summary["counts"]["pairs"] == len(written) and summary["counts"]["documents"] == 3
    with (out / "actors.csv").open() as handle:
        assert {row["doc_id"] for row in csv.DictReader(handle)} == {"a", "b", "c"}
    resumed, _ = score(tmp_path, tiny_model_dir, f"input={jsonl}")
    assert resumed["this_run"]["resumed_documents"] == 3 and resumed["this_run"]["documents_scored"] == 0
    assert [json.loads(line) for line in (out / "pairs.jsonl").read_text().split("\n") if line] == written
