"""Invariants under random input (hypothesis), each bounded to a few seconds:
- claims and mentions of any Unicode text (every kind of line break, quotes, abbreviations, emoji,
  right-to-left script, NUL, very long tokens): `text == document[start:end]`, claims in order without
  overlap, every mention inside its claim;
- `encode_pair` keeps the target marker in view and says when it windowed;
- random JSONL and CSV records: the good ones become documents (and are scored), each bad one is one
  `file:line` problem, never an exception.
STANCE_HYPOTHESIS_EXAMPLES=400 runs a deeper search than the suite's 40 examples per test.
"""
import csv
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.score.inputs import Document, InputProblem, InputSpec, read_inputs
from stance.score.outputs.store import read_rows
from stance.types import Span

FAST = settings(max_examples=int(os.environ.get("STANCE_HYPOTHESIS_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LINE_BREAKS = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"]
FRAGMENTS = [
    "Putin", "Vladimir Putin", "the Kremlin", "Azerbaijan", "Aliyev", "Erdogan", "Ankara", "the Taliban", "Iran",
    "Mr.", "U.S.", "a.m.", "Gen.", "etc.", "J.", "...", "?!", ".", "!", ";", ":", ",", " - ", " \u2014 ",
    '"', "\u201c", "\u201d", "\u00ab", "\u00bb", "'", "(", ")", "said", "failed", "won", "lost", "the", "and",
    "\U0001f600", "\U0001f1fa\U0001f1e6", "\u0645\u0648\u0633\u0643\u0648", "\u05e9\u05dc\u05d5\u05dd", "\u200f",
    "\x00", "\t", "  ", "e\u0301", "x" * 300, "Zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "1,000", "\ufeff",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(LINE_BREAKS), st.text(max_size=12)),
                 max_size=60).map(lambda parts: " ".join(parts))


@pytest.fixture(scope="module")
def analyser():
    from stance.analyse import DocumentAnalyser
    from stance.config import compose

    cfg = compose("score")
    return DocumentAnalyser.from_config(cfg.segment, cfg.actors)


@FAST
@given(text=texts, limit=st.sampled_from([(40, 20), (120, 120), (1000, 200)]))
def test_claims_and_mentions_point_into_the_text(analyser, text, limit):
    defaults = analyser.max_claim_chars, analyser.split_piece_chars
    analyser.max_claim_chars, analyser.split_piece_chars = limit
    try:
        (items,) = analyser([text])
    finally:
        analyser.max_claim_chars, analyser.split_piece_chars = defaults
    previous_end = 0
    for index, item in enumerate(items):
        claim = item.claim
        assert claim.claim_id == index and claim.text == text[claim.start : claim.end] and claim.text.strip()
        assert claim.start >= previous_end and len(claim.text) <= limit[0]  # in order, no overlap, within the limit
        assert len(claim.text) <= limit[1] or not claim.long_part  # pieces of over-long sentences within theirs
        previous_end = claim.end
        for mention in item.mentions:
            assert claim.start <= mention.start < mention.end <= claim.end
            assert mention.text == text[mention.start : mention.end]
    covered = "".join(item.claim.text for item in items)
    assert "".join(covered.split()) == "".join(text.split())  # no character dropped (whitespace aside)


@pytest.fixture(scope="module")
def tokenizer(tiny_backbone_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_backbone_dir)


@FAST
@given(data=st.data(), text=texts.filter(lambda t: t.strip()), max_length=st.integers(24, 96))
def test_encode_pair_keeps_the_marker_and_reports_windowing(tokenizer, data, text, max_length):
    from stance.model.encoding import encode_pair

    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 40)))
    encoded = encode_pair(tokenizer, text, [Span(start, end)], max_length)
    full = tokenizer(text[:start] + "[ " + text[start:end] + " ]" + text[end:], verbose=False)["input_ids"]
    assert len(encoded.input_ids) <= max_length and len(encoded.input_ids) == len(encoded.token_type_ids)
    assert encoded.windowed == (len(full) > max_length)
    assert encoded.input_ids[encoded.marker_index] == tokenizer.convert_tokens_to_ids("[")


BAD_VALUES = st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=2), st.just(""), st.just(" \n\t"))


@st.composite
def jsonl_lines(draw):
    """(line bytes, expected: ("doc", id) or ("bad", None)) for a mix of good and bad records. The first record
    is a good one: it names the columns (a first record without the text field refuses the whole file in one
    line, `stance.score.fields.missing_columns`)."""
    lines, seen = [], set()
    for number in range(1, draw(st.integers(1, 12)) + 1):
        kind = "good" if number == 1 else draw(st.sampled_from(
            ["good", "good", "good", "no text", "bad text", "not json", "not object", "not utf8", "blank", "duplicate"]))
        doc_id = draw(st.one_of(st.integers(0, 5), st.text(max_size=4), st.none()))
        key = f"docs:{number}" if doc_id is None or str(doc_id).strip() == "" else str(doc_id)
        text = draw(texts.filter(lambda t: t.strip()))
        if kind == "duplicate" and seen:
            key = doc_id = draw(st.sampled_from(sorted(seen)))
        if kind in ("good", "duplicate"):
            expected = ("doc", key) if key not in seen else ("bad", None)
            seen.add(key)
            lines.append((json.dumps({"id": doc_id, "text": text}, ensure_ascii=False).encode(), expected))
        elif kind == "no text":
            lines.append((json.dumps({"id": doc_id}).encode(), ("bad", None)))
        elif kind == "bad text":
            lines.append((json.dumps({"id": doc_id, "text": draw(BAD_VALUES)}).encode(), ("bad", None)))
        elif kind == "not json":
            lines.append((b'{"id": 1, "text": "unterminated', ("bad", None)))
        elif kind == "not object":
            lines.append((json.dumps([doc_id, text]).encode(), ("bad", None)))
        elif kind == "not utf8":
            lines.append((b'{"text": "caf\xe9"}', ("bad", None)))
        else:
            lines.append((b"   ", None))
    return lines


def read(path, **kw):
    items = list(read_inputs(InputSpec(str(path), **kw)))
    assert all(isinstance(i, (Document, InputProblem)) for i in items)
    return items


@FAST
@given(lines=jsonl_lines())
def test_random_jsonl_records_become_documents_or_line_problems(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_bytes(b"\n".join(line for line, _ in lines) + b"\n")
        items = read(path)
    expected_docs = [(n, e[1]) for n, (_, e) in enumerate(lines, 1) if e and e[0] == "doc"]
    expected_bad = [n for n, (_, e) in enumerate(lines, 1) if e and e[0] == "bad"]
    assert [(int(i.origin.rsplit(":", 1)[1]), i.doc_id) for i in items if isinstance(i, Document)] == expected_docs
    assert [i.line for i in items if isinstance(i, InputProblem)] == expected_bad
    assert all(i.file == str(path) and i.problem for i in items if isinstance(i, InputProblem))


@FAST
@given(rows=st.lists(st.tuples(st.sampled_from(["good", "empty", "fields"]), texts), min_size=1, max_size=10))
def test_random_csv_records_become_documents_or_line_problems(rows):
    out, expected_docs, expected_bad, line = io.StringIO(newline=""), [], [], 2
    writer = csv.writer(out)
    writer.writerow(["id", "text"])
    for index, (kind, text) in enumerate(rows):
        good = kind == "good" and text.strip() and not set(text) <= set(" \t")
        record = {"good": [str(index), text], "empty": [str(index), " "], "fields": [str(index), text, "x"]}[kind]
        chunk = io.StringIO(newline="")
        csv.writer(chunk).writerow(record)
        if kind == "good" and good:
            expected_docs.append((line, str(index)))
        elif kind != "good" or text.strip():
            expected_bad.append(line)
        elif not any(v.strip() for v in record):
            pass  # a blank row is skipped silently, as a blank line is
        else:
            expected_bad.append(line)
        out.write(chunk.getvalue())
        line += chunk.getvalue().replace("\r\n", "\n").replace("\r", "\n").count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.csv"
        path.write_bytes(out.getvalue().encode("utf-8", "surrogatepass"))
        items = read(path)
    assert [(int(i.origin.rsplit(":", 1)[1]), i.doc_id) for i in items if isinstance(i, Document)] == expected_docs
    assert [i.line for i in items if isinstance(i, InputProblem)] == expected_bad


@pytest.fixture(scope="module")
def pipe(tiny_model_dir):
    from stance.score.pipeline import StancePipeline

    return StancePipeline.load(tiny_model_dir, bf16=False, threads=1)


@pytest.fixture(scope="module")
def score_cfg(tiny_model_dir):
    """The score command's config, composed once (input and output set per example)."""
    from stance.config import compose

    return compose("score", [f"model_dir={tiny_model_dir}", "progress=false", "bf16=false", "show_documents=0"])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(lines=jsonl_lines())
def test_random_records_good_ones_scored_bad_ones_reported(pipe, score_cfg, monkeypatch, lines):
    import stance.score.command

    monkeypatch.setattr(stance.score.command, "load_pipeline", lambda cfg: pipe)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_bytes(b"\n".join(line for line, _ in lines) + b"\n")
        cfg = score_cfg.copy()
        cfg.input, cfg.output = str(path), f"{tmp}/out"
        stance.score.command.run_score(cfg)
        # read_rows splits on "\n" only: a doc_id may hold U+2028 or U+0085, which splitlines() would cut at
        done = [row["doc_id"] for row in read_rows(Path(tmp) / "out" / "done.jsonl")]
        errors = read_rows(Path(tmp) / "out" / "errors.jsonl")
    assert done == [e[1] for _, e in lines if e and e[0] == "doc"]
    assert [(e["file"], e["line"]) for e in errors] == [(str(path), n) for n, (_, e) in enumerate(lines, 1)
                                                        if e and e[0] == "bad"]
