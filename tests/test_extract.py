"""`python -m stance.extract` (output, saved config, bad input), pair matching, and the measurement script."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stance.config import REPO_ROOT, compose
from stance.evaluate.matching import PairSpans, detect_pairs, match_pairs
from stance.extract import run_extract

TEXT = ("The Kremlin's policy is failing. Putin has found himself in a deadlock.\n"
        "Azerbaijan is an enemy; Ankara set out to push Russia out.")


def extract(tmp_path: Path, content: bytes | str, *overrides: str) -> tuple[int, Path]:
    source = tmp_path / "doc.txt"
    source.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    output = tmp_path / "out" / "claims.jsonl"
    return run_extract(compose("extract", [f"input={source}", f"output={output}", *overrides])), output


def test_writes_one_line_per_claim_with_absolute_offsets_and_the_config(tmp_path, capsys):
    code, output = extract(tmp_path, TEXT)
    assert code == 0
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [row["claim_id"] for row in rows] == [0, 1, 2]
    for row in rows:
        assert set(row) == {"doc_id", "claim_id", "start", "end", "text", "mentions"} and row["doc_id"] == "doc"
        assert TEXT[row["start"]:row["end"]] == row["text"]
        for mention in row["mentions"]:
            assert set(mention) == {"actor", "kind", "text", "start", "end", "source"}
            assert TEXT[mention["start"]:mention["end"]] == mention["text"]
    assert [(m["actor"], m["kind"], m["source"]) for m in rows[1]["mentions"]] == [
        ("Putin", "person", "registry"), ("Putin", "person", "pronoun")]
    assert [(m["text"], m["actor"]) for m in rows[2]["mentions"]] == [
        ("Azerbaijan", "Azerbaijan"), ("Ankara", "Turkey"), ("Russia", "Russia")]
    saved = (output.parent / "claims.config.yaml").read_text(encoding="utf-8")
    assert "registry:" in saved and str(tmp_path / "doc.txt") in saved and "${" not in saved  # resolved
    assert "3 claims" in capsys.readouterr().err


def test_empty_or_whitespace_input_gives_zero_claims_and_says_so(tmp_path, capsys):
    code, output = extract(tmp_path, " \n\t\n")
    assert code == 0 and output.read_text(encoding="utf-8") == ""
    assert "0 claims" in capsys.readouterr().err


def test_undecodable_and_missing_input_are_one_line_errors_naming_the_file(tmp_path, capsys):
    code, output = extract(tmp_path, b"Putin met\nAliyev \xff\xfe today.")
    assert code == 1 and not output.exists()
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'doc.txt'}:2: not valid UTF-8 (byte 0xff at offset 17)"
    missing = tmp_path / "nope.txt"
    assert run_extract(compose("extract", [f"input={missing}", f"output={tmp_path / 'o.jsonl'}"])) == 1
    assert capsys.readouterr().err.strip() == f"error: {missing}: no such file"


def test_a_bad_registry_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "actors").mkdir()
    (tmp_path / "actors" / "mars.yaml").write_text("registry:\n  Mars: {kind: planet, aliases: [Mars]}\n")
    code, _ = extract(tmp_path, TEXT, "actors=[default,mars]", f"hydra.searchpath=[file://{tmp_path}]")
    assert code == 1
    assert capsys.readouterr().err.strip().startswith("error: actor 'Mars': kind 'planet' is not one of")


@pytest.mark.parametrize("content, code, message", [
    (b"\xff\xfe\x00bad", 1, "not valid UTF-8"),
    (None, 1, "no such file"),
])
def test_command_line_bad_input_has_no_traceback(tmp_path, content, code, message):
    source = tmp_path / "doc.txt"
    if content is not None:
        source.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "stance.extract", f"input={source}", f"output={tmp_path / 'c.jsonl'}"],
                            check=False, capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == code
    assert message in result.stderr and str(source) in result.stderr and "Traceback" not in result.stderr


def pair(claim, actor, *mentions):
    return PairSpans(claim, actor, tuple(mentions))


def test_detect_pairs_counts_any_overlap_and_optionally_the_name():
    gold = [pair((0, 50), "Russia", (4, 11)), pair((0, 50), "Taliban", (20, 35)), pair((60, 90), "Iran", (70, 74))]
    predicted = [pair((0, 50), "Russia", (4, 11)), pair((0, 50), "Afghanistan", (20, 26), (40, 45)),
                 pair((60, 90), "Iran", (80, 84))]
    loose = detect_pairs(gold, predicted)
    assert (loose.found, loose.correct) == ([True, True, False], [True, True, False])
    strict = detect_pairs(gold, predicted, same_actor=True)
    assert (strict.found, strict.correct) == ([True, False, False], [True, False, False])
    assert strict.counts() == {"gold": 3, "found": 1, "predicted": 3, "correct": 1,
                               "precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3}


def test_match_pairs_is_one_to_one_and_prefers_the_same_actor():
    both = (10, 27)  # "the two countries" stands for two actors
    gold = [pair((0, 50), "Russia", both), pair((0, 50), "Azerbaijan", both, (30, 41))]
    predicted = [pair((0, 50), "Azerbaijan", both), pair((0, 50), "Russia", both), pair((60, 90), "Iran", (70, 74))]
    result = match_pairs(gold, predicted)
    assert (result.matched, result.missed, result.spurious) == ([(0, 1), (1, 0)], [], [2])
    claims_apart = match_pairs([pair((0, 50), "Russia", (4, 11))], [pair((50, 90), "Russia", (4, 11))])
    assert claims_apart.matched == []


def test_measure_extraction_counts_on_a_small_gold_file(tmp_path):
    text = "The Kremlin is failing. Afghan radicals met the Taliban!"
    rows = [{"doc_id": "d", "claim_id": 0, "start": 0, "end": 23, "text": text[0:23], "actor": "Russia",
             "mentions": [{"text": "Kremlin", "start": 4, "end": 11}], "stance": "against", "sentiment": "negative"},
            {"doc_id": "d", "claim_id": 1, "start": 24, "end": 56, "text": text[24:56], "actor": "Taliban",
             "mentions": [{"text": "Afghan radicals", "start": 24, "end": 39}, {"text": "Taliban", "start": 48,
                                                                                "end": 55}],
             "stance": "against", "sentiment": "negative"}]
    gold, document = tmp_path / "gold.jsonl", tmp_path / "doc.txt"
    gold.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    document.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(REPO_ROOT / "scripts" / "figures"))
    try:
        from measure_extraction import main
    finally:
        sys.path.pop(0)
    figures = main([str(gold), str(document), "actors.discover_ner=false"])
    assert figures["claims"] == {"gold": 2, "predicted": 2, "exact": 2}
    # predicted: Russia (Kremlin), Afghanistan ("Afghan", overlapping the gold Taliban mention), Taliban
    loose, strict = figures["span overlap"], figures["span + name"]
    assert (loose["found"], loose["correct"], loose["predicted"]) == (2, 3, 3)
    assert (strict["found"], strict["correct"], strict["precision"]) == (2, 2, 2 / 3)
