"""`format: simple` (text, target, label as analysts keep them), `data=simple`, `stance.data validate`
on every format, and settings a format does not read."""
import json

import pytest
from omegaconf import OmegaConf

from stance.config import SourceConfig, compose
from stance.data.__main__ import main as data_main
from stance.data.formats import guess_format
from stance.data.simple import locate_target, simple_split, target_names
from stance.data.sources import DataError, load_source

CSV = """sentence,target,label
Lula deserves real credit for the deal.,Lula,positive
"Russia's army failed again, and the kremlin lied about it.",Russia|the Kremlin,-1
The talks in Baku ended on Tuesday.,Baku,NEU
"""


def test_target_found_everywhere_any_case_possessive_and_alternatives():
    text = "Russia's army failed; the KREMLIN lied, and Russia paid."
    spans = locate_target(text, target_names("Russia's|the Kremlin"))
    assert [text[s.start:s.end] for s in spans] == ["Russia", "KREMLIN", "Russia"]
    assert locate_target("Russian troops", ["Russia"]) == []  # whole words only
    assert target_names(" The Kremlin | Putin's |") == ["Kremlin", "Putin"]


def test_simple_csv_reads_labels_and_columns(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(CSV, encoding="utf-8")
    examples = load_source({"format": "simple", "path": str(path), "text_field": "sentence"})
    assert [e.label for e in examples] == ["favor", "against", "neutral"]
    assert [e.actor for e in examples] == ["Lula", "Russia", "Baku"]
    second = examples[1]
    assert [second.text[s.start:s.end] for s in second.spans] == ["Russia", "kremlin"]
    assert examples[0].origin == f"{path}:2"


def test_simple_problems_name_file_line_and_columns(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_source({"format": "simple", "path": str(path)})
    assert error.value.problems == [(f"{path}:1: no column 'text' (the file has 'sentence', 'target', 'label'); "
                                    "set text_field / target_field / label_field to your column names")]
    path.write_text("text,target,label\nPutin spoke.,Aliyev,1\nAliyev spoke.,Aliyev,maybe\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_source({"format": "simple", "path": str(path)})
    assert error.value.problems[0] == f"{path}:2: target 'Aliyev' not found in the text 'Putin spoke.'"
    assert error.value.problems[1].startswith(f"{path}:3: unknown label 'maybe'")


def test_label_map_and_jsonl(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"body": "Aliyev won.", "who": "Aliyev", "y": "good"}) + "\n", encoding="utf-8")
    (example,) = load_source({"format": "simple", "path": str(path), "text_field": "body", "target_field": "who",
                              "label_field": "y", "label_map": {"good": "favor"}})
    assert example.label == "favor" and example.spans[0].start == 0


def test_data_simple_splits_one_file_into_train_dev_test(tmp_path):
    rows = [f"Statement number {i} about Aliyev.,Aliyev,{['neg', 'neu', 'pos'][i % 3]}" for i in range(60)]
    path = tmp_path / "labels.csv"
    path.write_text("text,target,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cfg = compose("train", ["data=simple", f"data.train.0.path={path}"])
    parts = {split: load_source(cfg.data[split][0]) for split in ("train", "dev", "test")}
    texts = [{e.text for e in examples} for examples in parts.values()]
    assert sum(map(len, texts)) == 60 and not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    assert all(simple_split(e.text) == split for split, examples in parts.items() for e in examples)
    assert len(parts["train"]) > len(parts["dev"]) > 0


def test_validate_reads_csv_jsonl_and_gold(tmp_path, capsys):
    path = tmp_path / "labels.csv"
    path.write_text(CSV, encoding="utf-8")
    assert guess_format(path) == "simple"
    assert data_main(["validate", str(path), "--text-field", "sentence"]) == 0
    assert "valid (simple): 3 labelled pairs" in capsys.readouterr().out
    assert data_main(["validate", str(path)]) == 1  # no 'text' column: one line, not "malformed JSON" per line
    err = capsys.readouterr().err
    assert "malformed JSON" not in err and f"{path}:1: no column 'text'" in err
    newsmtsc = tmp_path / "news.jsonl"
    newsmtsc.write_text(json.dumps({"sentence": "Putin lied.", "from": 0, "to": 5, "polarity": -1}) + "\n")
    assert guess_format(newsmtsc) == "newsmtsc"
    assert data_main(["validate", str(newsmtsc)]) == 0


def test_a_column_setting_the_format_does_not_read_is_an_error(tmp_path):
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"sentence": "Oslo spoke.", "from": 0, "to": 4, "polarity": 0}) + "\n")
    ignored = OmegaConf.merge(OmegaConf.structured(SourceConfig),
                              {"format": "newsmtsc", "path": str(news), "text_field": "body"})
    with pytest.raises(DataError, match=r"news.jsonl: format newsmtsc does not read text_field"):
        load_source(ignored)
    read = OmegaConf.merge(OmegaConf.structured(SourceConfig),
                           {"format": "newsmtsc", "path": str(news), "label_map": {"0": "neutral"}})
    assert [e.label for e in load_source(read)] == ["neutral"]
