"""Scoring an analyst's own data: metadata carried through, pairs.csv, columns checked by name, actors from a file
of their own, labels that agree with their counts, a corrected command accepted, a summary without the registry."""
import csv
import json

import pytest

from stance.config import compose
from stance.score import ScoreError, run_score
from stance.score.aggregate import actor_label, aggregate_actors

POSTS = """id,post,published,outlet
p1,Lula deserves real credit for the deal. Putin failed badly.,2025-07-01,Folha
p2,"The Kremlin lost again, and Lula met Aliyev.",2025-07-02,Meduza
"""


def score(tmp_path, model_dir, *overrides, out="out"):
    cfg = compose("score", [f"model_dir={model_dir}", f"output={tmp_path / out}", "progress=false", "threads=1",
                            "bf16=false", "view=false", *overrides])
    return run_score(cfg), tmp_path / out


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def posts(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(POSTS, encoding="utf-8")
    return path


def test_kept_fields_reach_every_output_and_actors_come_from_a_file(tmp_path, tiny_model_dir, posts):
    mine = tmp_path / "mine.yaml"
    mine.write_text("Lula: {kind: person, aliases: [Lula, Luiz Inacio Lula da Silva]}\n", encoding="utf-8")
    summary, out = score(tmp_path, tiny_model_dir, f"input={posts}", "text_field=post", "id_field=id",
                         "keep_fields=[published,outlet]", "pairs_csv=true", f"actors_file={mine}")
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    assert {(p["doc_id"], p["published"], p["outlet"]) for p in pairs} == {("p1", "2025-07-01", "Folha"),
                                                                            ("p2", "2025-07-02", "Meduza")}
    lula = [p for p in pairs if p["actor"] == "Lula"]
    assert len(lula) == 2 and {p["kind"] for p in lula} == {"person"}
    assert {m["source"] for p in lula for m in p["mentions"]} == {"registry"}
    actors = read_csv(out / "actors.csv")
    assert list(actors[0])[-2:] == ["published", "outlet"]
    assert {(row["doc_id"], row["outlet"]) for row in actors} == {("p1", "Folha"), ("p2", "Meduza")}
    table = read_csv(out / "pairs.csv")
    assert len(table) == len(pairs) and float(table[0]["p_favor"]) == pairs[0]["probs"]["favor"]
    assert table[0]["outlet"] == pairs[0]["outlet"] and "@" in table[0]["mentions"]
    # summary.json: the registry by name and hash, not its contents
    registry = summary["config"]["actors"]
    assert set(registry) == {"groups", "files", "actors", "not_actors", "sha1"} and registry["files"] == [str(mine)]
    assert registry["actors"] > 190 and len((out / "summary.json").read_text()) < 20_000
    assert summary["actor_label_rule"].startswith("favor if more of the actor's pairs are favor than against")


def test_named_columns_the_input_lacks_are_one_error_naming_its_columns(tmp_path, tiny_model_dir, posts):
    summary, out = score(tmp_path, tiny_model_dir, f"input={posts}", "text_field=post", "id_field=post_id")
    assert summary["counts"]["documents"] == 0
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [{"file": str(posts), "line": 1,
                       "problem": "no column 'post_id' (columns: id, post, published, outlet)"}]
    # Nothing was scored: the corrected command is accepted in the same directory.
    summary, _ = score(tmp_path, tiny_model_dir, f"input={posts}", "text_field=post", "keep_fields=[outlet]")
    assert summary["counts"]["documents"] == 2 and summary["this_run"]["documents_scored"] == 2

    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "body": "Putin lost."}) + "\n" + json.dumps({"id": "y"}) + "\n")
    summary, out = score(tmp_path, tiny_model_dir, f"input={jsonl}", "text_field=text", out="j")
    assert [e["problem"] for e in json.loads((out / "summary.json").read_text())["errors"]] == [
        "no column 'text' (columns: id, body) in the first record"]
    with pytest.raises(ScoreError, match="keep_fields: 'label' would overwrite"):
        score(tmp_path, tiny_model_dir, f"input={posts}", "text_field=post", "keep_fields=[label]", out="k")
    with pytest.raises(ScoreError, match="a txt input has no fields"):
        score(tmp_path, tiny_model_dir, "keep_fields=[outlet]", out="t")


def test_actor_label_follows_the_claims():
    assert actor_label(["neutral"]) == "neutral"  # one neutral claim never makes an actor favor
    assert actor_label(["against"]) == "against"
    assert actor_label(["against", "against", "favor"]) == "against"
    assert actor_label(["against", "favor"]) == "neutral" and actor_label(["against", "neutral"]) == "against"
    assert actor_label([]) == "neutral"
    pairs = [{"doc_id": "d", "actor": "Turkey", "kind": "state", "claim_id": 0, "label": "neutral", "score": 0.21,
              "mentions": [{"text": "Turkey"}], "outlet": "X"}]
    (row,) = aggregate_actors(pairs, ["outlet"])
    assert (row["label"], row["n_favor"], row["mean_score"], row["outlet"]) == ("neutral", 0, 0.21, "X")
