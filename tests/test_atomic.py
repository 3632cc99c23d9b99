"""Outputs are written under a temporary name and renamed: an interrupted write leaves the previous file
(or model directory) whole, and no temporary file behind."""
import csv
import json

import pytest

import stance.atomic
from stance.atomic import atomic_directory, atomic_file, write_text_atomic
from stance.score.outputs.store import write_actors_csv, write_summary


class Interrupted(Exception):
    pass


def test_atomic_file_replaces_on_success_and_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "summary.json"
    write_text_atomic(path, "old")
    with pytest.raises(Interrupted), atomic_file(path) as handle:
        handle.write("half of the new")
        raise Interrupted
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["summary.json"]
    write_text_atomic(path, "new")
    assert path.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_summary_and_actors_csv_survive_an_interrupted_rewrite(tmp_path, monkeypatch):
    pair = {"doc_id": "d", "claim_id": 0, "actor": "Putin", "kind": "person", "score": -0.5, "label": "against",
            "mentions": [{"text": "Putin"}]}
    write_summary(tmp_path, {"counts": {"pairs": 1}})
    write_actors_csv(tmp_path, [pair])
    before = {name: (tmp_path / name).read_bytes() for name in ("summary.json", "actors.csv")}
    with pytest.raises(TypeError):
        write_summary(tmp_path, {"counts": {"pairs": object()}})  # fails half-way through serialising

    def writerows(self, rows):
        self.writerow(rows[0])
        raise Interrupted

    monkeypatch.setattr(csv.DictWriter, "writerows", writerows)
    with pytest.raises(Interrupted):
        write_actors_csv(tmp_path, [pair, pair])
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["actors.csv", "summary.json"]
    assert json.loads(before["summary.json"]) == {"counts": {"pairs": 1}}


@pytest.mark.parametrize("exchange", [True, False])
def test_atomic_directory_swaps_whole_directories(tmp_path, monkeypatch, exchange):
    if not exchange:  # where renameat2 is not available: two renames
        monkeypatch.setattr(stance.atomic, "_exchange", lambda a, b: False)
    target = tmp_path / "model"
    with atomic_directory(target) as out:
        (out / "weights").write_text("v1")
        (out / "card").write_text("v1")
    with pytest.raises(Interrupted), atomic_directory(target) as out:
        (out / "weights").write_text("v2")
        raise Interrupted  # interrupted before the card is written
    assert {p.name: p.read_text() for p in target.iterdir()} == {"weights": "v1", "card": "v1"}
    with atomic_directory(target) as out:
        (out / "weights").write_text("v3")
    assert {p.name: p.read_text() for p in target.iterdir()} == {"weights": "v3"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # nothing temporary left beside it
