"""Claim splitting: where GUIDELINE.md splits, and nowhere else."""
from pathlib import Path

import pytest

from stance.analyse.nlp import load_nlp
from stance.analyse.segment import segment_claims
from stance.config import compose

SEED = Path(compose("extract").paths.shared) / "seed" / "commentary-01.txt"  # the seed commentary


def claims_of(text: str, extra=()) -> list[str]:
    claims = segment_claims(load_nlp()(text), extra)
    for claim in claims:
        assert text[claim.start:claim.end] == claim.text
        assert claim.text == claim.text.strip()
    return [claim.text for claim in claims]


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Gen. Petraeus at 9 a.m. on Monday. Then he left.",
     ["Mr. Smith met Gen. Petraeus at 9 a.m. on Monday.", "Then he left."]),
    ("The U.S. and the U.K. agreed. Russia did not.", ["The U.S. and the U.K. agreed.", "Russia did not."]),
    ("J. R. R. Tolkien wrote it. Growth was 3.5 percent.", ["J. R. R. Tolkien wrote it.", "Growth was 3.5 percent."]),
    ('They watched "Stop. Think. Act." together. Then they left.',
     ['They watched "Stop. Think. Act." together.', "Then they left."]),
    ("This is it.... And then? Nothing!", ["This is it....", "And then?", "Nothing!"]),
    ("First: one; second: two. A fragment", ["First: one; second: two.", "A fragment"]),
    ("He said... well, nothing.", ["He said... well, nothing."]),
    ('"We will win." Russia said so.', ['"We will win."', "Russia said so."]),
])
def test_splits_only_at_sentence_ends(text, expected):
    assert claims_of(text) == expected


def test_paragraphs_and_blank_lines_are_boundaries_but_wrapped_lines_are_not():
    text = "A headline\nThe body wraps\nacross lines. More.\n\n\nLast paragraph"
    assert claims_of(text) == ["A headline", "The body wraps\nacross lines.", "More.", "Last paragraph"]


def test_extra_abbreviations_from_config():
    text = "He met Brig. Kovalev. Then he left."
    assert claims_of(text) == ["He met Brig.", "Kovalev.", "Then he left."]
    assert claims_of(text, ["Brig."]) == ["He met Brig. Kovalev.", "Then he left."]


def test_empty_and_whitespace_documents_have_no_claims():
    assert claims_of("") == []
    assert claims_of("  \n\n \t ") == []


def test_seed_commentary_gives_the_thirty_claims_of_the_guideline():
    text = SEED.read_text(encoding="utf-8")
    claims = segment_claims(load_nlp()(text))
    per_paragraph = [sum(1 for c in claims if line_start <= c.start < line_start + len(line))
                     for line_start, line in zip(_line_starts(text), text.split("\n"))]
    assert per_paragraph == [3, 5, 7, 1, 4, 4, 1, 2, 3]
    assert [c.claim_id for c in claims] == list(range(30))
    assert claims[-1].text.endswith("doctrine....")


def _line_starts(text: str) -> list[int]:
    starts, offset = [], 0
    for line in text.split("\n"):
        starts.append(offset)
        offset += len(line) + 1
    return starts
