"""The model directory training writes: paths relative to `paths.*` (it reads the same from another clone),
written whole or not at all, and a clear line when the shared data it trains on is missing."""
import json
import random
import shutil

import pytest
from omegaconf import OmegaConf

import stance.train.run
from stance.config import compose
from stance.data.sources import DataError
from stance.evaluate.baselines import training_sources
from stance.model.classifier import load_classifier
from stance.train.run import train

WORDS = {"against": "failed disastrously and lied", "neutral": "met officials on Tuesday", "favor": "won praise"}
POLARITY = {"against": -1, "neutral": 0, "favor": 1}


def write_newsmtsc_like(path, n, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label, target = rng.choice(list(WORDS)), rng.choice(["Putin", "Aliyev"])
        rows.append({"mention": target, "polarity": POLARITY[label], "from": 0, "to": len(target),
                     "sentence": f"{target} {WORDS[label]}, the paper said.", "id": str(i)})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def shared_dir(root):
    hf = root / "data" / "newsmtsc" / "hf"
    for name, n, seed in (("train", 32, 0), ("dev_rw", 12, 1), ("test_rw", 12, 2)):
        write_newsmtsc_like(hf / f"{name}.jsonl", n, seed)
    return root


def config(tmp_path, backbone, shared):
    """The default NewsMTSC config, shrunk, with every path under a `paths.*` of tmp_path."""
    return compose("train", [
        f"paths.shared={shared}", f"paths.models={tmp_path / 'models'}", f"paths.runs={tmp_path / 'runs'}",
        "data=newsmtsc", f"model.backbone={backbone}", "trainer.epochs=1", "trainer.batch_size=16",
        "trainer.calibrate=false",
        "data.dev=[{format: newsmtsc, name: dev_rw, path: '${paths.shared}/data/newsmtsc/hf/dev_rw.jsonl'}]",
        "data.test=[{format: newsmtsc, name: test_rw, path: '${paths.shared}/data/newsmtsc/hf/test_rw.jsonl'}]",
    ])


def absolute_strings(node):
    if isinstance(node, dict):
        return [s for value in node.values() for s in absolute_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in absolute_strings(value)]
    return [node] if isinstance(node, str) and node.startswith("/") else []


def test_model_dir_is_portable_and_written_whole(tmp_path, tiny_backbone_dir, monkeypatch):
    cfg = config(tmp_path, tiny_backbone_dir, shared_dir(tmp_path / "shared"))
    train(cfg)
    model = tmp_path / "models" / "default"
    saved = OmegaConf.load(model / "config.yaml")
    raw = OmegaConf.to_container(saved, resolve=False)
    assert raw["data"]["train"][0]["path"] == "${paths.shared}/data/newsmtsc/hf/train.jsonl"
    assert raw["output_dir"] == "${paths.models}/default" and raw["checkpoint_dir"] == "${paths.runs}/train/default"
    assert absolute_strings(raw) == [tiny_backbone_dir]  # only the backbone, which lies under no paths.*

    # Another clone, its shared data elsewhere: the model's training data is found there.
    elsewhere = shutil.copytree(tmp_path / "shared", tmp_path / "elsewhere")
    paths = OmegaConf.create({"root": "/nowhere", "shared": str(elsewhere), "models": "/nowhere/m", "runs": "/nowhere/o"})
    sources, _ = training_sources(OmegaConf.create({"train": []}), model, paths)
    assert sources[0].path == f"{elsewhere}/data/newsmtsc/hf/train.jsonl"

    # A second training interrupted while it writes the directory leaves the first whole.
    before = {p.relative_to(model): p.read_bytes() for p in model.rglob("*") if p.is_file()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stance.train.run, "write_model_card", interrupted)
    again = config(tmp_path, tiny_backbone_dir, tmp_path / "shared")
    again.overwrite = True  # replacing a model is asked for explicitly (stance.train.guard)
    with pytest.raises(KeyboardInterrupt):
        train(again)
    assert {p.relative_to(model): p.read_bytes() for p in model.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in model.parent.iterdir()) == ["default"]
    load_classifier(model)  # and it loads: every file matches its recorded digest


def test_missing_shared_data_is_one_line_saying_how_to_point_at_it(tmp_path, tiny_backbone_dir):
    (tmp_path / "empty").mkdir()
    for shared in (tmp_path / "empty", tmp_path / "absent"):
        with pytest.raises(DataError) as caught:
            train(config(tmp_path, tiny_backbone_dir, shared))
        (problem,) = caught.value.problems
        assert "paths.shared=/path/to/shared" in problem and "github.com/fhamborg/NewsMTSC" in problem
        assert problem.startswith(f"{shared}: no such directory" if shared.name == "absent"
                                  else f"{shared}/data/newsmtsc/hf/train.jsonl: not found (and 1 more")
