"""Input readers: every format, and one clear `file:line: problem` per bad record while good ones go through."""
import io
import json

import pytest

from stance.score.inputs import Document, InputProblem, InputSpec, read_inputs, resolve_format


def read(path, **kw):
    items = list(read_inputs(InputSpec(str(path), **kw)))
    return [i for i in items if isinstance(i, Document)], [str(i) for i in items if isinstance(i, InputProblem)]


def test_format_from_extension(tmp_path):
    assert resolve_format("-", "auto") == "txt"
    assert resolve_format(str(tmp_path), "auto") == "dir"
    assert resolve_format("a.jsonl", "auto") == "jsonl" and resolve_format("a.CSV", "auto") == "csv"
    assert resolve_format("a.txt", "auto") == "txt" and resolve_format("a.jsonl", "pairs") == "pairs"
    with pytest.raises(ValueError, match="input_format"):
        resolve_format("a.txt", "xml")


def test_txt_and_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Putin lost.")
    (tmp_path / "sub" / "b.txt").write_text("Aliyev won.")
    (tmp_path / "sub" / "c.md").write_text("not read")
    docs, problems = read(tmp_path)
    assert [(d.doc_id, d.text) for d in docs] == [("a", "Putin lost."), ("sub/b", "Aliyev won.")] and not problems
    docs, _ = read(tmp_path, glob="*.txt")
    assert [d.doc_id for d in docs] == ["a"]
    docs, _ = read(tmp_path / "a.txt")
    assert docs[0].doc_id == "a" and docs[0].origin.endswith("a.txt:1")


def test_bad_text_files_are_reported(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n")
    (tmp_path / "bad.txt").write_bytes(b"line one\nline \xff two\n")
    (tmp_path / "good.txt").write_text("Fine.")
    docs, problems = read(tmp_path)
    assert [d.doc_id for d in docs] == ["good"]
    assert problems == [f"{tmp_path}/bad.txt:2: not valid UTF-8 (byte 0xff at offset 14)",
                        f"{tmp_path}/blank.txt:1: empty text (whitespace only)", f"{tmp_path}/empty.txt:1: empty file"]
    assert read(tmp_path / "missing.txt")[1] == [f"{tmp_path}/missing.txt:0: no such file or directory"]
    assert read(tmp_path, glob="*.none")[1] == [f"{tmp_path}:0: no files match '*.none'"]


def test_jsonl_fields_and_bad_lines(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps({"id": "d1", "body": "Putin lost."}).encode(),
        b"{not json",
        json.dumps({"id": "d2", "body": ""}).encode(),
        json.dumps({"id": "d3"}).encode(),
        json.dumps({"body": "No id here."}).encode(),
        b'{"id": "d4", "body": "caf\xe9"}',
        json.dumps(["a list"]).encode(),
        json.dumps({"id": "d1", "body": "Again."}).encode(),
        json.dumps({"id": 7, "body": 3}).encode(),
    ]) + b"\n")
    docs, problems = read(path, text_field="body")
    assert [(d.doc_id, d.text) for d in docs] == [("d1", "Putin lost."), ("docs:5", "No id here.")]
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == ["2", "3", "4", "6", "7", "8", "9"]
    assert "malformed JSON" in problems[0] and "empty text" in problems[1] and "no 'body' field" in problems[2]
    assert "not valid UTF-8" in problems[3] and "duplicate id 'd1' (first at" in problems[5]
    assert "'body' is not a string" in problems[6]


def test_csv_with_and_without_the_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_bytes(b'doc,text\nx1,"Putin lost,\nbadly."\nx2,\nx3,ok \xff\nx4,Aliyev won.\nx5,a,b\n')
    docs, problems = read(path, id_field="doc")
    assert [(d.doc_id, d.text, d.origin.rsplit(":", 1)[1]) for d in docs] == [
        ("x1", "Putin lost,\nbadly.", "2"), ("x4", "Aliyev won.", "6")]
    assert [p.split(str(path) + ":")[1] for p in problems] == [
        "4: empty text", "5: not valid UTF-8", "7: 3 fields, the header has 2"]
    docs, problems = read(path, text_field="body")
    assert not docs and problems == [f"{path}:1: no column 'body' (columns: doc, text)"]


def test_pairs_rows(tmp_path):
    path = tmp_path / "pairs.jsonl"
    rows = [
        {"id": "p1", "text": "Putin met Aliyev.", "mentions": [{"start": 10, "end": 16}], "actor": "Azerbaijan"},
        {"id": "p2", "text": "Putin and him.", "mentions": [{"start": 10, "end": 13}, {"start": 0, "end": 5}]},
        {"id": "p3", "text": "Short.", "mentions": [{"start": 2, "end": 40}]},
        {"id": "p4", "text": "No mentions."},
        {"id": "p5", "text": "Bad.", "mentions": [{"start": "0", "end": 3}]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    docs, problems = read(path, format="pairs")
    assert [d.doc_id for d in docs] == ["p1", "p2"]
    (claim_actors,) = docs[0].given
    assert claim_actors.claim.text == "Putin met Aliyev." and claim_actors.claim.start == 0
    assert [(m.actor, m.text, m.source) for m in claim_actors.mentions] == [("Azerbaijan", "Aliyev", "given")]
    assert [m.text for m in docs[1].given[0].mentions] == ["Putin", "him"]  # sorted by start
    assert docs[1].given[0].mentions[0].actor == "Putin"  # no actor: the first mention's text
    assert problems[0] == f"{path}:3: mention [2, 40) is outside the text (length 6)"
    assert "non-empty list" in problems[1] and "integer 'start'" in problems[2]


def test_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Putin lost.\n")))
    docs, problems = read("-")
    assert [(d.doc_id, d.text) for d in docs] == [("stdin", "Putin lost.\n")] and not problems


def test_duplicate_ids_from_a_directory_are_reported_by_file(tmp_path):
    (tmp_path / "a.txt").write_text("Putin lost.")
    (tmp_path / "a.md").write_text("Aliyev won.")
    docs, problems = read(tmp_path, glob="*")
    assert [(d.doc_id, d.text) for d in docs] == [("a", "Aliyev won.")]  # a.md sorts first
    assert problems == [f"{tmp_path}/a.txt:1: duplicate id 'a' (first at {tmp_path}/a.md:1)"]


def test_limit_reads_only_the_first_records_of_a_stream(monkeypatch):
    """stdin that never ends: with limit=3 the reader stops after three records instead of reading forever."""

    class Endless(io.RawIOBase):
        def __init__(self):
            self.served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            line = json.dumps({"id": f"d{self.served}", "text": "Putin lost."}).encode() + b"\n"
            self.served += 1
            buffer[: len(line)] = line
            return len(line)

    endless = Endless()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(endless, buffer_size=64)))
    docs, problems = read("-", format="jsonl", limit=3)
    assert [d.doc_id for d in docs] == ["d0", "d1", "d2"] and not problems and endless.served < 50


def test_limit_counts_bad_records_too(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,text\n1,Putin lost.\n2,\n3,Aliyev won.\n4,Erdogan waited.\n")
    docs, problems = read(path, limit=3)
    assert [d.doc_id for d in docs] == ["1", "3"] and problems == [f"{path}:3: empty text"]
    with pytest.raises(ValueError, match="limit"):
        read(path, limit=0)
