"""Training on an analyst's own data: a labelled CSV (`data=simple`), continuing from the shipped model when the data
is small, no silent overwrite, and a card that describes the run."""
import json
from pathlib import Path

import pytest

from stance.config import compose
from stance.data.sources import DataError
from stance.train.guard import check_output_dir
from stance.train.run import train
from stance.train.warm_start import choose_init_from

PHRASES = {"neg": "failed badly and lied", "neu": "met officials on Tuesday", "pos": "won praise and succeeded"}


def write_labels(path, n=60):
    rows = ["sentence,target,label"]
    for i in range(n):
        label = list(PHRASES)[i % 3]
        rows.append(f"Report {i}: Aliyev {PHRASES[label]}.,Aliyev,{label}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def own_config(tmp_path, backbone, shipped, extra=()):
    labels = write_labels(tmp_path / "labels.csv")
    return compose("train", [
        "name=mine", "data=simple", f"data.train.0.path={labels}", "data.train.0.text_field=sentence",
        f"model.backbone={backbone}", "model.lora_r=4", "model.lora_alpha=8", f"shipped_model={shipped}",
        "trainer.epochs=1", "trainer.batch_size=8", "trainer.threads=1",
        f"output_dir={tmp_path / 'model'}", f"checkpoint_dir={tmp_path / 'checkpoints'}", *extra])


def test_small_labelled_csv_continues_from_shipped_model(tmp_path, tiny_backbone_dir, tiny_model_dir):
    cfg = own_config(tmp_path, tiny_backbone_dir, tiny_model_dir)
    metrics = train(cfg)
    assert metrics["train"]["init_from"]["from"] == tiny_model_dir and metrics["train"]["init_from"]["taken"] > 0
    assert 0 < metrics["train"]["pairs"] < 60 and metrics["dev"]["sets"]["simple_dev"]["n"] > 0
    card = (tmp_path / "model" / "README.md").read_text()
    assert f"Continued from `{tiny_model_dir}`" in card and "small_data_pairs=2000" in card
    assert f"{tmp_path / 'labels.csv'} (train)" in card  # the data actually used
    assert f"training; {metrics['dev']['f1_macro']:.4f} after calibration" in card
    assert "0.0 min" not in card and " s on 1 CPU threads" in card

    with pytest.raises(DataError, match="a model is already there"):  # the same name again: refused
        train(cfg)
    larger = own_config(tmp_path, tiny_backbone_dir, tiny_model_dir, ["overwrite=true", "small_data_pairs=10"])
    metrics = train(larger)
    assert metrics["train"]["init_from"] is None  # more pairs than the threshold: a fresh adapter
    assert "Started from the backbone alone" in (tmp_path / "model" / "README.md").read_text()


def test_choose_init_from(tmp_path, tiny_model_dir):
    saved = json.loads((Path(tiny_model_dir) / "stance_model.json").read_text())["model_cfg"]
    auto = dict(saved, init_from="auto")
    assert choose_init_from(auto, 199, tiny_model_dir, 2000)[0] == tiny_model_dir
    assert choose_init_from(auto, 2000, tiny_model_dir, 2000)[0] is None
    assert choose_init_from(dict(auto, lora_r=64), 10, tiny_model_dir, 2000) == (
        None, f"init_from=auto: {tiny_model_dir} differs in lora_r")
    assert choose_init_from(dict(auto, init_from=None), 10, tiny_model_dir, 2000)[0] is None
    assert choose_init_from(dict(auto, init_from="models/x"), 10**6, tiny_model_dir, 2000)[0] == "models/x"
    assert choose_init_from(auto, 10, str(tmp_path / "none"), 2000)[0] is None


def test_existing_model_dir_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "default").mkdir()
    check_output_dir(tmp_path / "default", overwrite=False)  # empty: fine
    (tmp_path / "default" / "stance_model.json").write_text("{}")
    with pytest.raises(DataError) as error:
        check_output_dir(tmp_path / "default", overwrite=False)
    assert error.value.problems == [(f"{tmp_path / 'default'}: a model is already there; choose another name=NAME, "
                                    "or add overwrite=true to replace it")]
    check_output_dir(tmp_path / "default", overwrite=True)
