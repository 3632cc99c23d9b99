"""A sentence longer than `segment.max_claim_chars` is cut into claims of at most `segment.split_piece_chars`
at clause boundaries (else at a space, else anywhere) before actor detection: no piece is over that, no
character of the text is lost, the pieces are numbered in `long_part`, scoring counts them as `split_long`,
and sentences up to the limit are left whole."""
from itertools import pairwise

import pytest

from stance.analyse.nlp import load_nlp
from stance.analyse.segment import segment_claims, split_long
from stance.types import Claim


def cover(text, claims):
    """The text's non-space characters, as the claims hold them in order."""
    return "".join(c.text for c in claims).replace(" ", ""), "".join(text.split())


def test_cut_at_the_last_clause_boundary_before_the_limit():
    text = ("Putin spoke for hours; Aliyev listened to the long speech in silence, and Erdogan waited in Ankara "
            "- while the talks went on and on")
    claims = split_long([Claim(0, 0, len(text), text)], text, 40)
    # the second piece has no clause boundary in its second half: it ends at the last space there
    assert [c.text for c in claims] == ["Putin spoke for hours;", "Aliyev listened to the long speech in",
                                        "silence, and Erdogan waited in Ankara", "- while the talks went on and on"]
    assert [c.long_part for c in claims] == [1, 2, 3, 4] and [c.claim_id for c in claims] == [0, 1, 2, 3]
    assert all(len(c.text) <= 40 and text[c.start:c.end] == c.text for c in claims)


def test_hard_cut_without_any_space_and_short_claims_untouched():
    text = "x" * 25
    claims = split_long([Claim(0, 0, 5, "xxxxx"), Claim(1, 5, 25, text[5:])], text, 8)
    assert [(c.start, c.end, c.long_part) for c in claims] == [(0, 5, 0), (5, 13, 1), (13, 21, 2), (21, 25, 3)]
    with pytest.raises(ValueError, match="max_claim_chars"):
        split_long(claims, text, 1)
    whole = "A long sentence, " * 40  # 680 characters: under the limit, left whole however long the pieces
    assert [(c.start, c.end) for c in split_long([Claim(0, 0, 679, whole[:679])], whole, 1000, 200)] == [(0, 679)]


def test_an_unpunctuated_text_becomes_claims_within_the_limit():
    sentence = ("the government said that Russia and Azerbaijan would talk while Putin met Aliyev in Baku, "
                "and Erdogan watched from Ankara as officials argued over the corridor and its future")
    text = " ".join([sentence] * 120)
    claims = segment_claims(load_nlp()(text), max_claim_chars=1000, piece_chars=200)
    assert len(claims) > 80 and all(len(c.text) <= 200 and c.long_part for c in claims)
    assert all(text[c.start:c.end] == c.text for c in claims)
    assert all(a.end <= b.start for a, b in pairwise(claims))
    left, right = cover(text, claims)
    assert left == right  # nothing dropped


def test_scoring_counts_split_long(tmp_path, tiny_model_dir):
    from stance.config import compose
    from stance.score import run_score

    text = "Putin met Aliyev in Baku, " * 80 + "and nobody noticed"
    (tmp_path / "long.txt").write_text(text)
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={tmp_path / 'long.txt'}",
                            f"output={tmp_path / 'out'}", "progress=false", "threads=1", "bf16=false",
                            "segment.max_claim_chars=300", "segment.split_piece_chars=100"])
    counts = run_score(cfg)["counts"]
    assert counts["split_long"] == 1 and counts["split_long_claims"] == counts["claims"] >= len(text) // 100
