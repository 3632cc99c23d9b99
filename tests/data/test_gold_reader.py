"""`read_gold_rows`, the one strict reader of the gold format: it accepts exactly what the validator accepts
(now with an optional `phenomena` list), and reports every other row as FILE:LINE instead of raising."""
import json

from stance.data.validate import check_gold, read_gold_rows

DOCUMENT = "Moscow failed again. Baku won."


def row(**changes):
    base = {"doc_id": "toy", "claim_id": 0, "start": 0, "end": 20, "text": DOCUMENT[0:20], "actor": "Russia",
            "mentions": [{"text": "Moscow", "start": 0, "end": 6}], "stance": "against", "sentiment": "negative",
            "note": ""}
    return {**base, **changes}


def write(tmp_path, rows):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "doc.txt").write_text(DOCUMENT)
    return path


def test_rows_the_loaders_used_to_accept_are_problems_at_their_line(tmp_path):
    path = write(tmp_path, [
        row(),
        row(claim_id=1, start=21, end=30, text=DOCUMENT[21:30], actor="Azerbaijan", stance="favor",
            mentions=["Baku"]),  # not an object: the old gold loader died with AttributeError
        row(claim_id=1, start="21", end=30, text=DOCUMENT[21:30], actor="Baku", stance="favor",
            mentions=[{"text": "Baku", "start": 21, "end": 25}]),  # a string offset: the old loader took int("21")
        row(actor="Azerbaijan", mentions=[{"text": "Baku", "start": 21, "end": 25}]),  # outside its claim [0, 20)
    ])
    problems = []
    rows = read_gold_rows(path, problems, tmp_path / "doc.txt")
    assert [number for number, _ in rows] == [1]
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "mention 0 must be an object {text, start, end}, got string" in problems[0]
    assert "'start' must be integer, got string" in problems[1]
    assert "lies outside the claim [0, 20)" in problems[2]


def test_phenomena_are_accepted_and_checked(tmp_path):
    good = write(tmp_path, [row(phenomena=["irony", "reported speech"])])
    problems = []
    assert read_gold_rows(good, problems, tmp_path / "doc.txt")[0][1]["phenomena"] == ["irony", "reported speech"]
    assert problems == [] and check_gold(good, tmp_path / "doc.txt").problems == []
    bad = write(tmp_path, [row(phenomena=["irony", 3]), row(actor="Moscow", phenomena="irony"),
                           row(actor="Kremlin", phenomena=["irony", "irony"])])
    problems = []
    assert read_gold_rows(bad, problems, tmp_path / "doc.txt") == []
    assert problems == [f"{bad}:1: phenomena must be non-empty strings, got integer",
                        f"{bad}:2: 'phenomena' must be list, got string",
                        f"{bad}:3: phenomena lists a phenomenon twice"]


def test_a_valid_file_gives_every_row_in_jsonl_order(tmp_path):
    rows = [row(), row(claim_id=1, start=21, end=30, text=DOCUMENT[21:30], actor="Azerbaijan", stance="favor",
                        sentiment="positive", mentions=[{"text": "Baku", "start": 21, "end": 25}])]
    problems = []
    assert read_gold_rows(write(tmp_path, rows), problems, tmp_path / "doc.txt") == [(1, rows[0]), (2, rows[1])]
    assert problems == []
