"""scripts/data/commentary_markup.py: the commentary set's markup -> gold rows with exact offsets."""
import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "data" / "commentary_markup.py"
spec = importlib.util.spec_from_file_location("commentary_markup", SCRIPT)
markup = importlib.util.module_from_spec(spec)
sys.modules["commentary_markup"] = markup  # dataclasses look their module up there
spec.loader.exec_module(markup)

DOC = """### tst-001
genre: telegram
voice: opposition

[neg] “[[Moscow|Russia|against|reported]] is lying,” says [[Zakharova|Zakharova|against|irony]] — [[Russia|Russia]]'s voice.
[pos] [[Kyiv|Ukraine|favor|praise]]'s defenders held; [[Kyiv|Ukraine]] thanked [[Warsaw|Poland|favor]] and [[Warsaw|Poland]] again.
[neu] Mr. Smith met [[U.S.|United States|neutral|bystander]] envoys at 9 a.m. today.
[neu] No actor here.
[neu] A fifth claim.

[neg] After a blank line, [[Lukashenko|Lukashenko|against|implicit|hard call]]'s turn.
"""


def convert(tmp_path, text):
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    _, converted, problems = markup.convert([path])
    return converted, problems


def test_offsets_are_exact_on_quotes_possessives_and_repeated_names(tmp_path):
    converted, problems = convert(tmp_path, DOC)
    assert problems == []
    text, rows = converted["tst-001"]
    for row in rows:
        assert text[row["start"]:row["end"]] == row["text"]
        for mention in row["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    russia = next(r for r in rows if r["actor"] == "Russia")
    assert [m["text"] for m in russia["mentions"]] == ["Moscow", "Russia"] and russia["stance"] == "against"
    poland = next(r for r in rows if r["actor"] == "Poland")
    assert len(poland["mentions"]) == 2 and poland["mentions"][0]["start"] < poland["mentions"][1]["start"]
    assert sorted(next(r for r in rows if r["actor"] == "Zakharova")["phenomena"]) == ["irony"]
    assert "multi" not in russia["phenomena"]  # Russia and Zakharova are both against: no differing stances
    no_actor = next(r for r in rows if r["claim_id"] == 3)
    assert no_actor["actor"] is None and no_actor["stance"] is None and no_actor["sentiment"] == "neutral"
    last = rows[-1]
    assert text[last["start"] - 2:last["start"]] == "\n\n" and last["note"] == "hard call"
    assert text.endswith("turn.\n") and "  " not in text


def test_mistakes_are_reported_with_file_and_line(tmp_path):
    bad = DOC.replace("[[Warsaw|Poland]] again.", "[[Warsaw|Poland|against]] again.").replace(
        "[neu] A fifth claim.", "[neu] Two sentences. In one line.").replace(
        "[[U.S.|United States|neutral|bystander]]", "[[the U.S.|United States|neutrall|sideline]]")
    _, problems = convert(tmp_path, bad)
    joined = "\n".join(problems)
    assert "t.txt:6: actor 'Poland': mentions disagree (against, favor)" in joined
    assert "t.txt:9: looks like two sentences" in joined
    assert "t.txt:7:" in joined and "leading 'the'" in joined and "stance 'neutrall'" in joined
    assert "tag 'sideline'" in joined


def test_split_is_stable_and_by_document():
    assert markup.split_of("rus-001") == markup.split_of("rus-001")
    shares = [markup.split_of(f"x-{i:03d}") for i in range(1000)]
    assert 0.6 < shares.count("train") / 1000 < 0.8 and shares.count("test") > 100
