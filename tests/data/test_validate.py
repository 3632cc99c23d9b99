"""The gold-file validator: the shipped gold set is clean, and each kind of bad row is reported at its line."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stance.data.__main__ import main
from stance.data.validate import check_gold, validate_gold

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_GOLD = ROOT / "data" / "gold" / "commentary-01.jsonl"
DOCUMENT = "Moscow failed again. Baku won. Nothing else."


def _row(claim_id, start, end, actor=None, mentions=(), stance=None, sentiment="negative"):
    return {"doc_id": "toy", "claim_id": claim_id, "start": start, "end": end, "text": DOCUMENT[start:end],
            "actor": actor, "mentions": [{"text": DOCUMENT[s:e], "start": s, "end": e} for s, e in mentions],
            "stance": stance, "sentiment": sentiment, "note": ""}


def good_rows():
    """Three claims of the toy document: two with an actor, one without."""
    return [_row(0, 0, 20, "Russia", [(0, 6)], "against"),
            _row(1, 21, 30, "Azerbaijan", [(21, 25)], "favor", "positive"),
            _row(2, 31, 44)]


def write_gold(tmp_path, rows, lines=None) -> Path:
    """rows as JSONL in <tmp>/gold/toy.jsonl, beside <tmp>/seed/toy.txt; `lines` replaces given lines verbatim."""
    (tmp_path / "seed").mkdir(exist_ok=True)
    (tmp_path / "seed" / "toy.txt").write_text(DOCUMENT, encoding="utf-8")
    (tmp_path / "gold").mkdir(exist_ok=True)
    text = [json.dumps(row) for row in rows]
    for index, line in (lines or {}).items():
        text[index] = line
    path = tmp_path / "gold" / "toy.jsonl"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def problems_at(problems, path, line):
    return [p for p in problems if p.startswith(f"{path}:{line}: ")]


def test_shipped_gold_is_valid_and_checked_against_its_document():
    summary = check_gold(SHIPPED_GOLD)
    assert summary.problems == []
    assert summary.unchecked_documents == []  # the seed text was found, so every span was compared to it
    rows = [json.loads(line) for line in SHIPPED_GOLD.read_text(encoding="utf-8").splitlines()]
    assert sorted({row["claim_id"] for row in rows}) == list(range(30))
    assert summary.claims == 30


def test_toy_gold_is_valid(tmp_path):
    summary = check_gold(write_gold(tmp_path, good_rows()))
    assert summary.problems == []
    assert (summary.claims, summary.pairs, summary.claims_with_actors) == (3, 2, 2)
    assert summary.stances["against"] == 1 and summary.sentiments["positive"] == 1


def _set(row, **changes):
    return {**row, **changes}


BAD_ROWS = {  # name -> (index of the changed row, the changed row, expected words in its problem)
    "bad stance": (0, lambda r: _set(r, stance="hostile"), "stance 'hostile' is not one of"),
    "bad sentiment": (2, lambda r: _set(r, sentiment="angry"), "sentiment 'angry' is not one of"),
    "text not the span": (1, lambda r: _set(r, text="Baku lost."), "claim text differs from document[21:30]"),
    "span past document": (2, lambda r: _set(r, end=99, text=DOCUMENT[31:]), "runs past the document"),
    "start not before end": (2, lambda r: _set(r, start=44, end=31), "needs 0 <= start < end"),
    "mention outside claim": (0, lambda r: _set(r, mentions=[{"text": "Baku", "start": 21, "end": 25}]),
                              "lies outside the claim [0, 20)"),
    "mention text wrong": (0, lambda r: _set(r, mentions=[{"text": "Kremlin", "start": 0, "end": 6}]),
                           "text differs from the document there ('Moscow')"),
    "null actor with stance": (2, lambda r: _set(r, stance="neutral"), "actor is null but mentions or stance"),
    "actor without mentions": (0, lambda r: _set(r, mentions=[]), "actor 'Russia' has no mentions"),
    "actor with null stance": (1, lambda r: _set(r, stance=None), "actor 'Azerbaijan' has stance null"),
    "missing key": (1, lambda r: {k: v for k, v in r.items() if k != "sentiment"}, "missing key 'sentiment'"),
    "wrong type": (1, lambda r: _set(r, claim_id="1"), "'claim_id' must be integer, got string"),
    "boolean offset": (1, lambda r: _set(r, start=True), "'start' must be integer, got boolean"),
    "overlapping mentions": (0, lambda r: _set(r, mentions=[{"text": "Moscow", "start": 0, "end": 6},
                                                             {"text": "Mos", "start": 0, "end": 3}]),
                             "overlaps another mention of this row"),
    "unknown key": (2, lambda r: _set(r, stnace=None), "unknown key(s) 'stnace'"),
}


@pytest.mark.parametrize("name", BAD_ROWS)
def test_bad_row_is_reported_at_its_line(tmp_path, name):
    index, change, expected = BAD_ROWS[name]
    rows = good_rows()
    rows[index] = change(rows[index])
    path = write_gold(tmp_path, rows)
    problems = validate_gold(path)
    assert problems_at(problems, path, index + 1), problems
    assert any(expected in p for p in problems_at(problems, path, index + 1)), problems


def test_duplicate_pair_points_at_both_lines(tmp_path):
    path = write_gold(tmp_path, [*good_rows(), good_rows()[0]])
    assert problems_at(validate_gold(path), path, 4) == [
        f"{path}:4: duplicate pair (claim 0, actor 'Russia'), first at line 1"]


def test_rows_of_one_claim_must_agree(tmp_path):
    extra = _row(0, 0, 20, "Putin", [(0, 6)], "against", sentiment="neutral")
    path = write_gold(tmp_path, [*good_rows(), extra])
    problems = validate_gold(path)
    assert any("claim 0 has sentiment 'neutral', but 'negative' at line 1" in p
               for p in problems_at(problems, path, 4)), problems


def test_claim_without_actor_row_beside_actor_rows(tmp_path):
    path = write_gold(tmp_path, [*good_rows(), _row(0, 0, 20)])
    assert any("both a row without actor" in p for p in problems_at(validate_gold(path), path, 4))


def test_overlapping_claims(tmp_path):
    rows = good_rows()
    rows[1] = _row(1, 15, 30, "Azerbaijan", [(21, 25)], "favor", "positive")
    path = write_gold(tmp_path, rows)
    assert any("claim 1 [15, 30) overlaps claim 0 [0, 20) at line 1" in p
               for p in problems_at(validate_gold(path), path, 2))


def test_invalid_json_line_does_not_stop_the_checks(tmp_path):
    rows = good_rows()
    rows[2] = _set(rows[2], sentiment="angry")
    path = write_gold(tmp_path, rows, lines={0: '{"doc_id": "toy", "claim_id": 0,'})
    problems = validate_gold(path)
    assert len(problems_at(problems, path, 1)) == 1 and "malformed JSON" in problems[0]
    assert problems_at(problems, path, 2) == []  # a good line after the bad one is checked and passes
    assert any("sentiment 'angry'" in p for p in problems_at(problems, path, 3))


def test_non_object_and_undecodable_lines(tmp_path):
    path = write_gold(tmp_path, good_rows(), lines={1: "[1, 2]"})
    path.write_bytes(path.read_bytes() + b'{"doc_id": "\xff"}\n')
    problems = validate_gold(path)
    assert problems_at(problems, path, 2) == [f"{path}:2: expected a JSON object, got list"]
    assert problems_at(problems, path, 4)[0].startswith(f"{path}:4: not valid UTF-8")


def test_without_the_document_spans_are_checked_against_row_text(tmp_path):
    rows = good_rows()
    rows[1] = _set(rows[1], end=31)  # one character longer than its text
    path = write_gold(tmp_path, rows)
    (tmp_path / "seed" / "toy.txt").unlink()
    summary = check_gold(path)
    assert summary.unchecked_documents == ["toy"]
    assert any("is 10 characters but text has 9" in p for p in problems_at(summary.problems, path, 2))


def test_explicit_document_is_used_and_a_missing_one_is_a_problem(tmp_path):
    path = write_gold(tmp_path, good_rows())
    other = tmp_path / "other.txt"
    other.write_text("Kremlin failed again. Baku won. Nothing else.", encoding="utf-8")
    assert any("claim text differs" in p for p in validate_gold(path, document_path=other))
    assert validate_gold(path, document_path=tmp_path / "absent.txt") == [f"{tmp_path / 'absent.txt'}: document not found"]


def test_missing_file_is_one_line(tmp_path):
    assert validate_gold(tmp_path / "absent.jsonl") == [f"{tmp_path / 'absent.jsonl'}: file not found"]


def test_cli_exit_codes_and_output(tmp_path, capsys):
    good = write_gold(tmp_path, good_rows())
    assert main(["validate", str(good)]) == 0
    assert "3 claims, 2 (claim, actor) pairs" in capsys.readouterr().out
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    rows = good_rows()
    rows[0] = _set(rows[0], stance="hostile")
    bad = write_gold(bad_dir, rows)
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: stance 'hostile'" in err and "Traceback" not in err


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "stance.data", "validate", str(SHIPPED_GOLD)],
                            check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "30 claims" in result.stdout


def test_document_is_read_as_the_pipeline_reads_it(tmp_path):
    """A leading BOM is dropped (offsets count from the first character, as in scoring); bad bytes: file:line."""
    path = write_gold(tmp_path, good_rows())
    (tmp_path / "seed" / "toy.txt").write_bytes(b"\xef\xbb\xbf" + DOCUMENT.encode("utf-8"))
    assert validate_gold(path) == []
    (tmp_path / "seed" / "toy.txt").write_bytes(b"Moscow\nfailed \xff again.")
    assert validate_gold(path) == [f"{tmp_path / 'seed' / 'toy.txt'}:2: not valid UTF-8 (byte 0xff at offset 14)"]
